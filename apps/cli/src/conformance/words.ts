/**
 * Word splitting of the scenario language: a simple command split the way a POSIX shell splits it,
 * with no expansion of any kind (the lab interpreter's `scn_split`).
 */

/** Characters that are an error outside quotes: no pipes, redirections, variables or globbing. */
const METACHARACTERS = new Set(["|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "[", "]"]);

/** Characters a backslash escapes inside double quotes (elsewhere there it stays literal). */
const DQUOTE_ESCAPABLE = new Set(['"', "\\", "$", "`"]);

/** Result of {@link splitWords}. */
export type SplitResult =
  | { readonly ok: true; readonly words: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Splits `s` into words: blanks (space, tab) separate words; `'…'` quotes literally; `"…"` quotes
 * with `\"` `\\` `\$` `` \` `` escapes; a backslash outside quotes makes the next character literal;
 * adjacent parts join. Errors (with the lab's wording): an unquoted shell metacharacter, an
 * unescaped `$` or `` ` `` inside double quotes, an unterminated quote.
 */
export function splitWords(s: string): SplitResult {
  const words: string[] = [];
  let cur = "";
  let have = false;
  let quote: "" | "'" | '"' = "";
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s[i]!;
    if (quote === "'") {
      if (c === "'") quote = "";
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') {
        quote = "";
      } else if (c === "\\" && i + 1 < n && DQUOTE_ESCAPABLE.has(s[i + 1]!)) {
        cur += s[i + 1]!;
        i++;
      } else if (c === "$" || c === "`") {
        return { ok: false, message: `unescaped ${c} inside double quotes` };
      } else {
        cur += c;
      }
    } else if (c === " " || c === "\t") {
      if (have) {
        words.push(cur);
        cur = "";
        have = false;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
      have = true;
    } else if (c === "\\") {
      // A trailing backslash is dropped, as the lab's splitter does.
      if (i + 1 < n) {
        i++;
        cur += s[i]!;
        have = true;
      }
    } else if (METACHARACTERS.has(c)) {
      return { ok: false, message: `unquoted shell metacharacter '${c}'` };
    } else {
      cur += c;
      have = true;
    }
  }
  if (quote !== "") return { ok: false, message: `unterminated ${quote} quote` };
  if (have) words.push(cur);
  return { ok: true, words };
}

/**
 * Quotes one word so that {@link splitWords} gives it back unchanged: bare when it only has safe
 * characters, else in single quotes (a `'` becomes `'\''`).
 */
export function quoteWord(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./~^{}!#-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** Quotes a list of words as one command line. */
export function quoteWords(words: readonly string[]): string {
  return words.map(quoteWord).join(" ");
}
