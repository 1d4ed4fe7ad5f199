/**
 * GNU `getopt_long` (glibc 2.36) as the real tools call it: options and operands may be mixed
 * (operands are permuted to the end), `--` ends the options, long options may be abbreviated to a
 * unique prefix, and errors print glibc's exact messages.
 */

/** A long option: its name and whether it takes a required argument. */
export interface LongOption {
  readonly name: string;
  readonly hasArg: boolean;
}

/** One option found, in command-line order: `key` is the long name or the short letter. */
export interface ParsedOption {
  readonly key: string;
  readonly long: boolean;
  readonly arg: string | undefined;
}

/** Result of {@link getoptLong}. */
export type GetoptResult =
  | { readonly ok: true; readonly options: readonly ParsedOption[]; readonly operands: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Parses a getopt short-option string (`"ab:c"`) into letter → takes-an-argument. */
function parseShort(optstring: string): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (let i = 0; i < optstring.length; i++) {
    const c = optstring[i]!;
    if (c === ":") continue;
    m.set(c, optstring[i + 1] === ":");
  }
  return m;
}

/**
 * Parses `args` (without argv[0]) like GNU getopt_long. `prog` prefixes error messages
 * (`dmsetup: invalid option -- 'Z'`).
 */
export function getoptLong(
  prog: string,
  args: readonly string[],
  optstring: string,
  longOptions: readonly LongOption[],
): GetoptResult {
  const shorts = parseShort(optstring);
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== "-") {
      operands.push(a);
      i++;
      continue;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let found = longOptions.find((o) => o.name === name);
      if (!found) {
        const matches = longOptions.filter((o) => o.name.startsWith(name));
        if (matches.length > 1) {
          return {
            ok: false,
            message: `${prog}: option '${a}' is ambiguous; possibilities:${matches.map((o) => ` '--${o.name}'`).join("")}`,
          };
        }
        found = matches[0];
      }
      if (!found) return { ok: false, message: `${prog}: unrecognized option '${a}'` };
      i++;
      if (eq >= 0) {
        if (!found.hasArg) {
          return { ok: false, message: `${prog}: option '--${found.name}' doesn't allow an argument` };
        }
        options.push({ key: found.name, long: true, arg: a.slice(eq + 1) });
      } else if (found.hasArg) {
        if (i >= args.length) {
          return { ok: false, message: `${prog}: option '--${found.name}' requires an argument` };
        }
        options.push({ key: found.name, long: true, arg: args[i]! });
        i++;
      } else {
        options.push({ key: found.name, long: true, arg: undefined });
      }
      continue;
    }
    // A cluster of short options.
    i++;
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const takes = shorts.get(c);
      if (takes === undefined) return { ok: false, message: `${prog}: invalid option -- '${c}'` };
      if (!takes) {
        options.push({ key: c, long: false, arg: undefined });
        continue;
      }
      if (j + 1 < a.length) {
        options.push({ key: c, long: false, arg: a.slice(j + 1) });
      } else if (i < args.length) {
        options.push({ key: c, long: false, arg: args[i]! });
        i++;
      } else {
        return { ok: false, message: `${prog}: option requires an argument -- '${c}'` };
      }
      break;
    }
  }
  return { ok: true, options, operands };
}
