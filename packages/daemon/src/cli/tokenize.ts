/**
 * `alloc_strvec()` (libmpathutil/parser.c) as multipathd applies it to a command line: words split
 * on blanks; `"` opens and closes a quoted word (each quote is a token of its own, skipped by the
 * command parser); `""` inside quotes is a literal `"`; outside quotes `{` and `}` are words of
 * their own, and `#` or `!` end the line (comments). Non-ASCII characters count as blanks outside
 * quotes. An unterminated quote runs to the end of the line.
 */

/** One token with its character offset in the command line. */
export type Token =
  | { readonly kind: "word"; readonly text: string; readonly position: number }
  | { readonly kind: "quote"; readonly position: number };

/** C `isspace()` in the C locale. */
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/** C `!isascii()`. */
function isNonAscii(c: string): boolean {
  return c.charCodeAt(0) > 0x7f;
}

/**
 * Splits `line` into tokens, or returns null where upstream returns no vector at all: a line of
 * blanks only, or one whose first word starts a comment.
 */
export function tokenizeCommand(line: string): Token[] | null {
  let cp = 0;
  const at = (i: number): string => (i < line.length ? line[i]! : "\0");
  while (cp < line.length && (isSpace(at(cp)) || isNonAscii(at(cp)))) cp++;
  if (cp >= line.length) return null;
  if (at(cp) === "!" || at(cp) === "#") return null;

  const tokens: Token[] = [];
  let inString = false;
  for (;;) {
    const start = cp;
    if (at(cp) === '"' && !(inString && at(cp + 1) === '"')) {
      cp++;
      tokens.push({ kind: "quote", position: start });
      inString = !inString;
    } else if (!inString && (at(cp) === "{" || at(cp) === "}")) {
      cp++;
      tokens.push({ kind: "word", text: line[start]!, position: start });
    } else {
      let twoQuotes = false;
      for (;;) {
        while (
          cp < line.length &&
          at(cp) !== '"' &&
          (inString ||
            (!isSpace(at(cp)) &&
              !isNonAscii(at(cp)) &&
              at(cp) !== "!" &&
              at(cp) !== "#" &&
              at(cp) !== "{" &&
              at(cp) !== "}"))
        )
          cp++;
        // Two double quotes inside a quoted word stand for one and do not end it.
        if (inString && at(cp) === '"' && at(cp + 1) === '"') {
          twoQuotes = true;
          cp += 2;
          continue;
        }
        break;
      }
      let text = line.slice(start, cp);
      if (twoQuotes) text = text.replaceAll('""', '"');
      tokens.push({ kind: "word", text, position: start });
    }
    while (!inString && cp < line.length && (isSpace(at(cp)) || isNonAscii(at(cp)))) cp++;
    if (cp >= line.length || (!inString && (at(cp) === "!" || at(cp) === "#"))) return tokens;
  }
}
