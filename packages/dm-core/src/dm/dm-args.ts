/**
 * dm core's argument helpers (`dm_split_args`, `struct dm_arg_set`, `dm_read_arg`,
 * `dm_read_arg_group`, `dm_shift_arg`, `dm_consume_args`), with the kernel's parsing rules.
 */

/** `isspace()` of the kernel's ctype: space, \t, \n, \v, \f, \r. */
export function isKernelSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/**
 * `dm_split_args`: splits a target's parameter string on whitespace; a backslash makes the next
 * character (any but NUL) literal and is removed.
 */
export function dmSplitArgs(input: string): string[] {
  const argv: string[] = [];
  let i = 0;
  const n = input.length;
  for (;;) {
    while (i < n && isKernelSpace(input[i]!)) i++;
    if (i >= n) break;
    let out = "";
    while (i < n) {
      const c = input[i]!;
      if (c === "\\" && i + 1 < n) {
        out += input[i + 1];
        i += 2;
        continue;
      }
      if (isKernelSpace(c)) break;
      out += c;
      i++;
    }
    if (i < n) i++;
    argv.push(out);
  }
  return argv;
}

/**
 * The kernel's `sscanf(s, "%u%c", &v, &dummy) == 1`: optional leading whitespace, then decimal
 * digits only (no sign: `-1` and `+1` are rejected), nothing after. The value is truncated to 32
 * bits as the kernel stores it in an `unsigned int`. Returns null when it does not parse.
 */
export function parseKernelUint(s: string): number | null {
  let i = 0;
  while (i < s.length && isKernelSpace(s[i]!)) i++;
  const start = i;
  let v = 0n;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = (v * 10n + BigInt(c - 48)) & 0xffff_ffff_ffff_ffffn;
    i++;
  }
  if (i === start) return null;
  if (i !== s.length) return null;
  return Number(v & 0xffff_ffffn);
}

/** `struct dm_arg`: a range and the error text to report. */
export interface DmArg {
  readonly min: number;
  readonly max: number;
  readonly error: string;
}

/** `struct dm_arg_set`: the remaining arguments of a constructor or message. */
export class DmArgSet {
  readonly #argv: readonly string[];
  #pos = 0;

  constructor(argv: readonly string[]) {
    this.#argv = argv;
  }

  /** Arguments left (`argc`). */
  get argc(): number {
    return this.#argv.length - this.#pos;
  }

  /** `dm_shift_arg`: the next argument, or undefined when none is left. */
  shift(): string | undefined {
    if (this.#pos >= this.#argv.length) return undefined;
    return this.#argv[this.#pos++];
  }

  /** The next argument without consuming it. */
  peek(): string | undefined {
    return this.#argv[this.#pos];
  }

  /** `dm_consume_args`: skips `n` arguments (fewer if fewer remain). */
  consume(n: number): void {
    this.#pos = Math.min(this.#argv.length, this.#pos + n);
  }

  /** The next `n` arguments, consumed. */
  take(n: number): string[] {
    const out = this.#argv.slice(this.#pos, this.#pos + n);
    this.consume(n);
    return out;
  }

  /** A copy of the remaining arguments (not consumed). */
  rest(): string[] {
    return this.#argv.slice(this.#pos);
  }

  /**
   * `dm_read_arg`: shifts one argument and checks it is a clean %u within [min, max].
   * Returns the value, or `{ error }` with the arg's error text (`ti->error`; errno -EINVAL).
   */
  readArg(arg: DmArg): number | { error: string } {
    return this.#read(arg, false);
  }

  /**
   * `dm_read_arg_group`: as {@link DmArgSet.readArg}, and also fails when fewer arguments remain
   * than the value read (the group would overrun the line).
   */
  readArgGroup(arg: DmArg): number | { error: string } {
    return this.#read(arg, true);
  }

  #read(arg: DmArg, grouped: boolean): number | { error: string } {
    const s = this.shift();
    const v = s === undefined ? null : parseKernelUint(s);
    if (v === null || v < arg.min || v > arg.max || (grouped && this.argc < v)) return { error: arg.error };
    return v;
  }
}
