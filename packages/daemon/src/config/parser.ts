/**
 * The multipath.conf reader, as libmpathutil's parser.c does it: line by line (`fgets` into a
 * 1024-byte buffer, so a longer line is read as several), each line split into tokens, then each
 * line checked and dispatched to the keyword table of the section it is in. It never fails on
 * bad input: it logs in multipath-tools' words and goes on, exactly where the C code goes on.
 */
import type { ConfigLog } from "./log.js";

/** The quote-mark token (`"` opening or closing a string); as a C string it reads as "". */
export const QUOTE: unique symbol = Symbol("quote");
export type Token = string | typeof QUOTE;

/** A token's text as C sees it (the quote marker is the empty string). */
export const cstr = (t: Token | undefined): string => (t === undefined || t === QUOTE ? "" : t);

/** The tokens of one line with the 1-based column where each starts. */
export interface Strvec {
  readonly tokens: readonly Token[];
  readonly columns: readonly number[];
}

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
const isAscii = (c: string): boolean => c.charCodeAt(0) < 0x80;

/**
 * Splits a line into tokens (`alloc_strvec`): bare words, `{`, `}`, and quoted strings given as
 * QUOTE, content, QUOTE. Outside quotes `#` and `!` start a comment and non-ASCII characters
 * separate words like blanks; inside quotes everything is kept and `""` stands for one `"`.
 * Returns null for a line with no tokens (blank or comment).
 */
export function allocStrvec(line: string): Strvec | null {
  const n = line.length;
  let i = 0;
  const at = (k: number): string | undefined => (k < n ? line[k] : undefined);
  while (i < n && (isSpace(line[i]) || !isAscii(line[i]!))) i++;
  if (i >= n) return null;
  if (line[i] === "!" || line[i] === "#") return null;
  const tokens: Token[] = [];
  const columns: number[] = [];
  let inString = false;
  for (;;) {
    const start = i;
    let token: Token;
    if (line[i] === '"' && !(inString && at(i + 1) === '"')) {
      i++;
      token = QUOTE;
      inString = !inString;
    } else if (!inString && (line[i] === "{" || line[i] === "}")) {
      token = line[i]!;
      i++;
    } else {
      let twoQuotes = false;
      for (;;) {
        while (i < n && line[i] !== '"') {
          const c = line[i]!;
          if (!inString && (isSpace(c) || !isAscii(c) || c === "!" || c === "#" || c === "{" || c === "}"))
            break;
          i++;
        }
        if (inString && at(i) === '"' && at(i + 1) === '"') {
          twoQuotes = true;
          i += 2;
          continue;
        }
        break;
      }
      token = line.slice(start, i);
      if (twoQuotes) token = token.replaceAll('""', '"');
    }
    tokens.push(token);
    columns.push(start + 1);
    while (!inString && i < n && (isSpace(line[i]) || !isAscii(line[i]!))) i++;
    if (i >= n || (!inString && (line[i] === "!" || line[i] === "#"))) return { tokens, columns };
  }
}

/** One line as `read_line` hands it to the parser. */
export interface ConfigLine {
  /** The buffer after `strtok(buf, "\n\r")`: what the parser tokenises and quotes in messages. */
  readonly text: string;
}

/** fgets' buffer is 1024 bytes: at most 1023 bytes of a line are read at once. */
const MAXBUF = 1024;

/**
 * Splits a file into the lines `read_line` returns: up to and including a newline, or 1023 bytes
 * (UTF-8) of a longer line at a time; then cut at the first CR or LF that follows any leading ones,
 * and at a NUL.
 */
export function readConfigLines(text: string): ConfigLine[] {
  const lines: ConfigLine[] = [];
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder("utf-8");
  let pos = 0;
  while (pos < bytes.length) {
    let end = pos;
    while (end < bytes.length && end - pos < MAXBUF - 1) {
      end++;
      if (bytes[end - 1] === 0x0a) break;
    }
    let chunk = dec.decode(bytes.subarray(pos, end));
    pos = end;
    const nul = chunk.indexOf("\0");
    if (nul >= 0) chunk = chunk.slice(0, nul);
    let k = 0;
    while (k < chunk.length && (chunk[k] === "\n" || chunk[k] === "\r")) k++;
    if (k < chunk.length) {
      let e = k;
      while (e < chunk.length && chunk[e] !== "\n" && chunk[e] !== "\r") e++;
      chunk = chunk.slice(0, e);
    }
    lines.push({ text: chunk });
  }
  return lines;
}

/**
 * One keyword of the grammar. `handler` returns 0, or non-zero when the value could not be
 * stored (which fails the whole load, as in multipath-tools); `sub` makes it a section.
 */
export interface Keyword<C> {
  readonly name: string;
  /** Repeating a unique keyword in one section instance logs "duplicate keyword". */
  readonly unique: boolean;
  readonly handler?: (ctx: C, v: Strvec, at: HandlerSite) => number;
  readonly sub?: readonly Keyword<C>[];
}

/** Where a handler runs: for its messages. */
export interface HandlerSite {
  readonly file: string;
  readonly line: number;
  readonly log: ConfigLog;
}

/** Section keywords that must be followed by `{` on their line. (`overrides` and `protocol` are not.) */
const SUBLEVEL = new Set([
  "defaults",
  "blacklist",
  "blacklist_exceptions",
  "devices",
  "device",
  "multipaths",
  "multipath",
]);

/**
 * `validate_config_strvec`: checks a line's shape. Returns false when the line is dropped; a
 * warning alone (extra data, missing closing quote, missing `{`) keeps it.
 */
function validateStrvec(v: Strvec, file: string, line: number, log: ConfigLog): boolean {
  const t = v.tokens;
  const size = t.length;
  const str = cstr(t[0]);
  const col = (k: number) => v.columns[k];
  const at = (k: number) => {
    const c = col(k);
    return c === undefined ? { file, line } : { file, line, column: c };
  };
  const extra = (k: number) =>
    log.add(
      0,
      "extra-data",
      `ignoring extra data starting with '${cstr(t[k])}' on line ${line} of ${file}`,
      at(k),
    );
  if (str[0] === "}") {
    if (size > 1) extra(1);
    return true;
  }
  if (str[0] === "{") {
    log.add(0, "invalid-keyword", `invalid keyword '${str}' on line ${line} of ${file}`, at(0));
    return false;
  }
  if (SUBLEVEL.has(str)) {
    const s = size > 1 ? cstr(t[1]) : undefined;
    if (s === undefined) log.add(0, "missing-brace", `missing '{' on line ${line} of ${file}`, at(0));
    else if (s[0] !== "{")
      log.add(0, "expecting-brace", `expecting '{' on line ${line} of ${file}. found '${s}'`, at(1));
    else if (size > 2) extra(2);
    return true;
  }
  if (size < 2) {
    log.add(0, "missing-value", `missing value for option '${str}' on line ${line} of ${file}`, at(0));
    return false;
  }
  if (t[1] !== QUOTE) {
    if (size > 2) extra(2);
    return true;
  }
  if (size === 2) {
    log.add(0, "missing-quote", `missing closing quotes on line ${line} of ${file}`, at(1));
    return true;
  }
  if (t[2] === QUOTE) {
    if (size > 3) extra(3);
    return true;
  }
  if (size === 3) {
    log.add(0, "missing-quote", `missing closing quotes on line ${line} of ${file}`, at(1));
    return true;
  }
  if (t[3] !== QUOTE) {
    log.add(
      0,
      "parse-error",
      `parsing error starting with '${cstr(t[3])}' on line ${line} of ${file}`,
      at(3),
    );
    return false;
  }
  if (size > 4) extra(4);
  return true;
}

/**
 * `set_value`: the value of `keyword value`, quotes removed (`""` gives the empty string). Returns
 * undefined only for a keyword without value, which the line check has already dropped.
 */
export function setValue(v: Strvec): string | undefined {
  const t = v.tokens;
  let s = t[1];
  if (s === undefined) return undefined;
  if (s === QUOTE) {
    if (t.length > 2) s = t[2]!;
    if (s === QUOTE) return "";
  }
  return s;
}

class Stream<C> {
  private lineNr = 0;
  private idx = 0;
  private kwLevel = 0;

  constructor(
    private readonly ctx: C,
    private readonly lines: readonly ConfigLine[],
    private readonly file: string,
    private readonly log: ConfigLog,
  ) {}

  process(keywords: readonly Keyword<C>[], section: string | undefined): number {
    const log = this.log;
    const file = this.file;
    let r = 0;
    const uniques = new Set<string>();
    while (this.idx < this.lines.length) {
      const buf = this.lines[this.idx++]!.text;
      this.lineNr++;
      const line = this.lineNr;
      const v = allocStrvec(buf);
      if (v === null) continue;
      if (!validateStrvec(v, file, line, log)) continue;
      const str = cstr(v.tokens[0]);
      const where = { file, line, column: v.columns[0]! };
      if (str === "}") {
        if (this.kwLevel > 0) return r;
        log.add(0, "unmatched-brace", `unmatched '}' at line ${line} of ${file}`, where);
      }
      const kw = keywords.find((k) => k.name === str);
      if (kw === undefined) {
        if (section !== undefined)
          log.add(
            1,
            "invalid-keyword",
            `${file} line ${line}, invalid keyword in the ${section} section: ${str}`,
            where,
          );
        else log.add(1, "invalid-keyword", `${file} line ${line}, invalid keyword: ${str}`, where);
        continue;
      }
      if (kw.unique) {
        if (uniques.has(str))
          log.add(1, "duplicate-keyword", `${file} line ${line}, duplicate keyword: ${str}`, where);
        else uniques.add(str);
      }
      if (kw.handler !== undefined) {
        const t = kw.handler(this.ctx, v, { file, line, log });
        r += t;
        if (t !== 0) log.add(1, "parsing-failed", `${file} line ${line}, parsing failed: ${buf}`, where);
      }
      if (kw.sub !== undefined) {
        this.kwLevel++;
        r += this.process(kw.sub, kw.name);
        this.kwLevel--;
      }
    }
    if (this.kwLevel === 1) log.add(1, "missing-brace", `missing '}' at end of ${file}`, { file });
    return r;
  }
}

/**
 * `process_file` on a file's text: runs the keyword handlers on `ctx` and returns the number of
 * handler failures (non-zero means multipath-tools would refuse the configuration).
 */
export function processConfigText<C>(
  ctx: C,
  keywords: readonly Keyword<C>[],
  text: string,
  file: string,
  log: ConfigLog,
): number {
  return new Stream(ctx, readConfigLines(text), file, log).process(keywords, undefined);
}
