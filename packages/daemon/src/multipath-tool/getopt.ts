/**
 * glibc `getopt()` as `multipath` calls it (`":adDcChl::eFfM:v:p:b:BrR:itTquUwW"`): options
 * and operands may be mixed (operands are permuted after the options), `--` ends the options, a
 * leading `:` in the option string makes a missing argument `:` and silences glibc's messages,
 * `x::` takes an optional argument only when attached (`-ll`).
 */

/** One option in command-line order. */
export interface GetoptOption {
  /** The option letter, or `?` (unknown) / `:` (missing argument). */
  readonly opt: string;
  /** Its argument (`optarg`), when it has one. */
  readonly arg: string | null;
  /** `optopt`: the letter that caused `?` or `:`. */
  readonly optopt: string;
}

/** Options in order and the operands (argv from `optind` on, after permutation). */
export interface GetoptResult {
  readonly options: GetoptOption[];
  readonly operands: string[];
}

type ArgKind = "none" | "required" | "optional";

function parseSpec(spec: string): Map<string, ArgKind> {
  const m = new Map<string, ArgKind>();
  for (let i = spec[0] === ":" ? 1 : 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ":") continue;
    if (spec[i + 1] === ":" && spec[i + 2] === ":") m.set(c, "optional");
    else if (spec[i + 1] === ":") m.set(c, "required");
    else m.set(c, "none");
  }
  return m;
}

/** Parses `args` (argv without the program name). */
export function getopt(args: readonly string[], spec: string): GetoptResult {
  const kinds = parseSpec(spec);
  const options: GetoptOption[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== "-") {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const kind = kinds.get(c);
      if (kind === undefined) {
        options.push({ opt: "?", arg: null, optopt: c });
        continue;
      }
      if (kind === "none") {
        options.push({ opt: c, arg: null, optopt: c });
        continue;
      }
      if (j + 1 < a.length) {
        options.push({ opt: c, arg: a.slice(j + 1), optopt: c });
        break;
      }
      if (kind === "optional") {
        options.push({ opt: c, arg: null, optopt: c });
        break;
      }
      if (i + 1 < args.length) {
        options.push({ opt: c, arg: args[++i]!, optopt: c });
        break;
      }
      options.push({ opt: spec[0] === ":" ? ":" : "?", arg: null, optopt: c });
      break;
    }
  }
  return { options, operands };
}
