/**
 * POSIX extended regular expressions (as `grep -E` and `sed -E` take them) translated to JavaScript
 * `RegExp` source. Bracket expressions get POSIX rules (a leading `]` is literal, a backslash is
 * literal, `[:class:]` names); GNU's `\<`, `\>` and `` \` ``/`\'` anchors are mapped. Matching stays
 * JavaScript's leftmost-first, not POSIX leftmost-longest: the scenario masks and `@until` patterns
 * only use the part of ERE where the two agree.
 */

const CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "0-9A-Za-z",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\v\\f\\r",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
  xdigit: "0-9A-Fa-f",
};

/** Escapes one character for use inside a JS character class. */
function classChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

/** Thrown for a pattern that is not a valid ERE (e.g. an unterminated bracket expression). */
export class EreError extends Error {
  readonly code = "MP_ERE";
}

/** Translates a POSIX ERE into JavaScript RegExp source. */
export function ereToJs(ere: string): string {
  let out = "";
  let i = 0;
  const n = ere.length;
  while (i < n) {
    const c = ere[i]!;
    if (c === "\\") {
      const d = ere[i + 1];
      if (d === undefined) throw new EreError("trailing backslash");
      i += 2;
      switch (d) {
        case "<":
          out += "\\b(?=\\w)";
          break;
        case ">":
          out += "\\b(?<=\\w)";
          break;
        case "`":
          out += "^";
          break;
        case "'":
          out += "$";
          break;
        case "w":
        case "W":
        case "s":
        case "S":
        case "b":
        case "B":
          out += `\\${d}`;
          break;
        default:
          out += /[A-Za-z0-9]/.test(d) ? d : `\\${d}`;
      }
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      let cls = "[";
      if (ere[j] === "^") {
        cls += "^";
        j++;
      }
      let first = true;
      let closed = false;
      while (j < n) {
        const e = ere[j]!;
        if (e === "]" && !first) {
          closed = true;
          j++;
          break;
        }
        first = false;
        if (e === "[" && (ere[j + 1] === ":" || ere[j + 1] === "=" || ere[j + 1] === ".")) {
          const kind = ere[j + 1]!;
          const end = ere.indexOf(`${kind}]`, j + 2);
          if (end < 0) throw new EreError("unterminated character class");
          const name = ere.slice(j + 2, end);
          if (kind === ":") {
            const body = CLASSES[name];
            if (body === undefined) throw new EreError(`invalid character class ${name}`);
            cls += body;
          } else {
            cls += [...name].map(classChar).join("");
          }
          j = end + 2;
          continue;
        }
        // A range a-z (a '-' first or last is literal).
        if (ere[j + 1] === "-" && ere[j + 2] !== undefined && ere[j + 2] !== "]") {
          cls += `${classChar(e)}-${classChar(ere[j + 2]!)}`;
          j += 3;
          continue;
        }
        cls += classChar(e);
        j++;
      }
      if (!closed) throw new EreError("unterminated bracket expression");
      out += `${cls}]`;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Compiles an ERE; throws {@link EreError} (or a SyntaxError from RegExp) when invalid. */
export function compileEre(ere: string, flags = ""): RegExp {
  return new RegExp(ereToJs(ere), flags);
}

/**
 * `grep -Eq REGEX`: true when some line of `text` matches. Lines are split on `\n`; a final
 * newline does not start another line; empty text has no lines. An invalid pattern matches nothing
 * (grep exits 2).
 */
export function grepE(regex: string, text: string): boolean {
  let re: RegExp;
  try {
    re = compileEre(regex);
  } catch {
    return false;
  }
  if (text === "") return false;
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return lines.some((l) => re.test(l));
}
