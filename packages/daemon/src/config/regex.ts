/**
 * POSIX extended regular expressions as glibc's `regcomp(REG_EXTENDED | REG_NOSUB)` reads them in
 * the C locale, translated to JavaScript `RegExp`s for match / no-match tests (`regexec` with no
 * sub-matches), which is all multipath-tools asks of them (hwtable, blacklist, uid_attrs).
 *
 * What is faithful:
 * - which patterns fail to compile, with glibc's error code and `regerror` text (unbalanced `(` / `[`,
 *   bad intervals, `*`/`+`/`?`/`{` with nothing to repeat, bad ranges, unknown classes, backrefs to
 *   groups not yet closed, trailing backslash, repeat counts above RE_DUP_MAX = 32767);
 * - bracket expressions: `]` first, `^` negation, ranges by byte value, `[:class:]` (C locale),
 *   `[.c.]` and `[=c=]` of one character, a backslash is literal, the rules for `-`;
 * - `^`/`$` are anchors anywhere, an unmatched `)` is literal, `.` matches newline too, stacked
 *   quantifiers (`a**`, `a+?` = `(a+)?`, `a{1}{2}`), `{,n}`;
 * - the GNU operators `\w \W \s \S \b \B \< \> \` \'`, back references `\1`..`\9`; any other escaped
 *   character stands for itself (`\d` is `d`).
 *
 * Limits (documented, not needed by multipath-tools' uses): matching is per UTF-16 code unit rather
 * than per byte, and the C locale's ASCII classes are used; a back reference to a group that did not
 * take part in the match matches the empty string in JavaScript but fails in POSIX; POSIX
 * leftmost-longest only matters for sub-match extents, which `REG_NOSUB` never reports.
 */

/** A compile failure, with glibc's `regcomp` error code and message. */
export interface EreError {
  readonly code: number;
  readonly message: string;
}

export type EreResult =
  | { readonly ok: true; readonly regex: RegExp }
  | { readonly ok: false; readonly error: EreError };

const REG_BADPAT = 2;
const REG_ECOLLATE = 3;
const REG_ECTYPE = 4;
const REG_EESCAPE = 5;
const REG_ESUBREG = 6;
const REG_EBRACK = 7;
const REG_EPAREN = 8;
const REG_EBRACE = 9;
const REG_BADBR = 10;
const REG_ERANGE = 11;
const REG_ESIZE = 15;
const REG_BADRPT = 13;

const ERROR_TEXT: Readonly<Record<number, string>> = {
  [REG_BADPAT]: "Invalid regular expression",
  [REG_ECOLLATE]: "Invalid collation character",
  [REG_ECTYPE]: "Invalid character class name",
  [REG_EESCAPE]: "Trailing backslash",
  [REG_ESUBREG]: "Invalid back reference",
  [REG_EBRACK]: "Unmatched [, [^, [:, [., or [=",
  [REG_EPAREN]: "Unmatched ( or \\(",
  [REG_EBRACE]: "Unmatched \\{",
  [REG_BADBR]: "Invalid content of \\{\\}",
  [REG_ERANGE]: "Invalid range end",
  [REG_BADRPT]: "Invalid preceding regular expression",
  [REG_ESIZE]: "Regular expression too big",
};

/** RE_DUP_MAX in glibc. */
const DUP_MAX = 0x7fff;

class EreSyntaxError {
  constructor(readonly code: number) {}
}

const fail = (code: number): never => {
  throw new EreSyntaxError(code);
};

/** The C locale's character classes as JavaScript class fragments. */
const CLASSES: Readonly<Record<string, string>> = {
  alpha: "A-Za-z",
  upper: "A-Z",
  lower: "a-z",
  digit: "0-9",
  xdigit: "0-9A-Fa-f",
  alnum: "0-9A-Za-z",
  space: "\\t\\n\\v\\f\\r ",
  blank: "\\t ",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
};

const hex = (c: number): string =>
  c < 0x100 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;

/** One character as a JavaScript regex literal. */
const lit = (ch: string): string => (/[A-Za-z0-9_ ]/.test(ch) ? ch : hex(ch.charCodeAt(0)));

type BracketElem =
  | { readonly kind: "char"; readonly code: number; readonly fromEquiv: boolean }
  | { readonly kind: "class"; readonly js: string };

class EreTranslator {
  private pos = 0;
  private out = "";
  /** Start (in `out`) of the item a quantifier would apply to, or -1 when none may follow. */
  private atomStart = -1;
  private atomQuantified = false;
  private openGroups: { outIndex: number; number: number }[] = [];
  private groupsOpened = 0;
  private readonly closedGroups = new Set<number>();

  constructor(private readonly re: string) {}

  translate(): string {
    const re = this.re;
    while (this.pos < re.length) {
      const c = re[this.pos]!;
      switch (c) {
        case "(":
          this.pos++;
          this.groupsOpened++;
          this.openGroups.push({ outIndex: this.out.length, number: this.groupsOpened });
          this.out += "(";
          this.noAtom();
          break;
        case ")": {
          this.pos++;
          const g = this.openGroups.pop();
          if (g === undefined) {
            this.atom(hex(0x29));
          } else {
            this.out += ")";
            this.closedGroups.add(g.number);
            this.atomStart = g.outIndex;
            this.atomQuantified = false;
          }
          break;
        }
        case "|":
          this.pos++;
          this.out += "|";
          this.noAtom();
          break;
        case "^":
          this.pos++;
          this.out += "^";
          this.noAtom();
          break;
        case "$":
          this.pos++;
          this.out += "$";
          this.noAtom();
          break;
        case ".":
          this.pos++;
          this.atom(".");
          break;
        case "[":
          this.pos++;
          this.atom(this.bracket());
          break;
        case "\\":
          this.escape();
          break;
        case "*":
        case "+":
        case "?":
          this.pos++;
          this.quantify(c);
          break;
        case "{":
          this.pos++;
          if (this.atomStart < 0) fail(REG_BADRPT);
          this.quantify(this.interval());
          break;
        default:
          this.pos++;
          this.atom(lit(c));
      }
    }
    if (this.openGroups.length > 0) fail(REG_EPAREN);
    return this.out;
  }

  private noAtom(): void {
    this.atomStart = -1;
    this.atomQuantified = false;
  }

  private atom(js: string): void {
    this.atomStart = this.out.length;
    this.atomQuantified = false;
    this.out += js;
  }

  private quantify(q: string): void {
    if (this.atomStart < 0) fail(REG_BADRPT);
    if (this.atomQuantified) {
      // POSIX applies a second quantifier to the quantified item (`a+?` is `(a+)?`, not lazy).
      this.out = `${this.out.slice(0, this.atomStart)}(?:${this.out.slice(this.atomStart)})`;
    }
    this.out += q;
    this.atomQuantified = true;
  }

  private escape(): void {
    const re = this.re;
    this.pos++;
    if (this.pos >= re.length) fail(REG_EESCAPE);
    const c = re[this.pos]!;
    this.pos++;
    if (c >= "1" && c <= "9") {
      const n = c.charCodeAt(0) - 0x30;
      if (!this.closedGroups.has(n)) fail(REG_ESUBREG);
      this.atom(`\\${n}`);
      return;
    }
    switch (c) {
      case "w":
      case "W":
        this.atom(`\\${c}`);
        return;
      case "s":
        this.atom("[\\t\\n\\v\\f\\r ]");
        return;
      case "S":
        this.atom("[^\\t\\n\\v\\f\\r ]");
        return;
      case "b":
      case "B":
        this.out += `\\${c}`;
        this.noAtom();
        return;
      case "<":
        this.out += "\\b(?=\\w)";
        this.noAtom();
        return;
      case ">":
        this.out += "\\b(?<=\\w)";
        this.noAtom();
        return;
      case "`":
        this.out += "^";
        this.noAtom();
        return;
      case "'":
        this.out += "$";
        this.noAtom();
        return;
      default:
        this.atom(lit(c));
    }
  }

  /**
   * `{m}`, `{m,}`, `{,n}`, `{m,n}` after the `{`; returns the JavaScript quantifier. Scans like glibc:
   * token by token up to `}` or `,`, so the error (unterminated vs bad content) depends on what
   * follows, and `\,` counts as a comma.
   */
  private interval(): string {
    const re = this.re;
    type Tok =
      | { kind: "end" }
      | { kind: "close" }
      | { kind: "comma" }
      | { kind: "digit"; v: number }
      | { kind: "other" };
    const next = (): Tok => {
      if (this.pos >= re.length) return { kind: "end" };
      const c = re[this.pos]!;
      if (c === "\\") {
        if (this.pos + 1 >= re.length) {
          this.pos++;
          return { kind: "other" };
        }
        const e = re[this.pos + 1]!;
        this.pos += 2;
        return e === "," ? { kind: "comma" } : { kind: "other" };
      }
      this.pos++;
      if (c === "}") return { kind: "close" };
      if (c === ",") return { kind: "comma" };
      if (c >= "0" && c <= "9") return { kind: "digit", v: c.charCodeAt(0) - 0x30 };
      return { kind: "other" };
    };
    // glibc's fetch_number: -1 none, -2 invalid; stops at `}`, `,` or the end.
    let last: Tok = { kind: "end" };
    const fetchNumber = (): number => {
      let num = -1;
      for (;;) {
        last = next();
        if (last.kind === "end") return -2;
        if (last.kind === "close" || last.kind === "comma") return num;
        num =
          last.kind !== "digit" || num === -2
            ? -2
            : num === -1
              ? last.v
              : Math.min(DUP_MAX + 1, num * 10 + last.v);
      }
    };
    let start = fetchNumber();
    let end = 0;
    if (start === -1) {
      if ((last as Tok).kind === "comma") start = 0;
      else fail(REG_BADBR);
    }
    if (start !== -2) {
      const t = last as Tok;
      end = t.kind === "close" ? start : t.kind === "comma" ? fetchNumber() : -2;
    }
    if (start === -2 || end === -2) fail((last as Tok).kind === "end" ? REG_EBRACE : REG_BADBR);
    if ((end !== -1 && start > end) || (last as Tok).kind !== "close") fail(REG_BADBR);
    if (DUP_MAX < (end === -1 ? start : end)) fail(REG_ESIZE);
    if (end === -1) return `{${start},}`;
    return start === end ? `{${start}}` : `{${start},${end}}`;
  }

  /** A bracket expression after the `[`; returns the JavaScript class. */
  private bracket(): string {
    const re = this.re;
    let negate = false;
    if (re[this.pos] === "^") {
      negate = true;
      this.pos++;
    }
    if (this.pos >= re.length) fail(REG_BADPAT);
    const parts: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= re.length) fail(REG_EBRACK);
      if (re[this.pos] === "]" && !first) {
        this.pos++;
        break;
      }
      // A '-' that is not first, not last and not a range end cannot start an element.
      if (!first && re[this.pos] === "-" && re[this.pos + 1] !== "]") {
        if (this.pos + 1 >= re.length) fail(REG_EBRACK);
        fail(REG_ERANGE);
      }
      first = false;
      const start = this.bracketElem();
      if (re[this.pos] === "-" && this.pos + 1 < re.length && re[this.pos + 1] !== "]") {
        this.pos++;
        const end = this.bracketElem();
        if (start.kind !== "char" || start.fromEquiv) fail(REG_ERANGE);
        if (end.kind !== "char" || end.fromEquiv) fail(REG_ERANGE);
        const lo = (start as { code: number }).code;
        const hi = (end as { code: number }).code;
        if (lo > hi) fail(REG_ERANGE);
        parts.push(`${hex(lo)}-${hex(hi)}`);
      } else if (start.kind === "char") {
        parts.push(hex(start.code));
      } else {
        parts.push(start.js);
      }
    }
    return `[${negate ? "^" : ""}${parts.join("")}]`;
  }

  private bracketElem(): BracketElem {
    const re = this.re;
    const c = re[this.pos]!;
    const next = re[this.pos + 1];
    if (c === "[" && (next === ":" || next === "." || next === "=")) {
      const close = re.indexOf(`${next}]`, this.pos + 2);
      if (close < 0) fail(REG_EBRACK);
      const name = re.slice(this.pos + 2, close);
      this.pos = close + 2;
      if (next === ":") {
        const js = CLASSES[name];
        if (js === undefined) fail(REG_ECTYPE);
        return { kind: "class", js: js! };
      }
      if (name.length !== 1) fail(REG_ECOLLATE);
      return { kind: "char", code: name.charCodeAt(0), fromEquiv: next === "=" };
    }
    this.pos++;
    return { kind: "char", code: c.charCodeAt(0), fromEquiv: false };
  }
}

/**
 * Compiles a POSIX extended regular expression (glibc, C locale, `REG_NOSUB`). Never throws: a
 * pattern glibc rejects gives `{ ok: false }` with glibc's code and message.
 */
export function compileEre(pattern: string): EreResult {
  let source: string;
  try {
    source = new EreTranslator(pattern).translate();
  } catch (e) {
    if (e instanceof EreSyntaxError) {
      return { ok: false, error: { code: e.code, message: ERROR_TEXT[e.code] ?? "Unknown error" } };
    }
    throw e;
  }
  try {
    return { ok: true, regex: new RegExp(source, "s") };
  } catch {
    // Not reachable for the constructs translated above; reported as glibc's generic failure.
    return { ok: false, error: { code: REG_BADPAT, message: ERROR_TEXT[REG_BADPAT]! } };
  }
}

/** `regexec(...) == 0` for a compiled pattern: an unanchored search. */
export function ereTest(regex: RegExp, s: string): boolean {
  regex.lastIndex = 0;
  return regex.test(s);
}
