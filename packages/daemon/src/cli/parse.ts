/**
 * Parsing a command line into a {@link Command} (multipathd/cli.c `get_cmdvec`, `fingerprint`,
 * `find_handler_for_cmdvec`), and formatting a command back into a line that parses to it.
 *
 * Errors follow upstream's errno choices, which decide the reply: ENOMEM (nothing to parse),
 * ESRCH (unknown word at the end), ENOENT (unknown word elsewhere), EINVAL (a keyword lacks its
 * parameter, or the words form no known command).
 */
import {
  COMMAND_SPECS,
  type Command,
  type CommandKind,
  type CommandParams,
  type CommandSpec,
  fingerprint,
  specForFingerprint,
  specForKind,
} from "./commands.js";
import { findKey, KeyCode, type Keyword, keywordForCode } from "./keywords.js";
import { tokenizeCommand } from "./tokenize.js";

/** One recognised word of a command line. */
export interface ParsedKey {
  /** The keyword it resolved to (abbreviations resolved). */
  readonly keyword: Keyword;
  /** The word as typed. */
  readonly word: string;
  /** Character offset of the word in the line. */
  readonly position: number;
  /** Its parameter, for keywords that take one and got one. */
  readonly param?: string;
}

/** Why a line is not a command. */
export type CliParseErrorReason =
  /** Blank line or comment: nothing to parse (upstream: ENOMEM). */
  | "empty"
  /** A word is no keyword (or an ambiguous abbreviation). */
  | "unknown-keyword"
  /** The last keyword needs a parameter. */
  | "missing-argument"
  /** Valid words that form no command (e.g. `show`, `maps show`, `show map x format y raw`). */
  | "no-handler";

/** The errno upstream's parser reports; it selects the reply text. */
export type CliErrno = "ENOMEM" | "ESRCH" | "ENOENT" | "EINVAL";

/** A parse failure with the position it refers to. */
export interface CliParseError {
  readonly errno: CliErrno;
  readonly reason: CliParseErrorReason;
  /** Character offset of the offending word (end of line for a missing argument or no handler). */
  readonly position: number;
  /** The offending word, when there is one. */
  readonly word?: string;
}

/** The outcome of {@link parseCommand}. */
export type CommandParseResult =
  | {
      readonly ok: true;
      readonly command: Command;
      readonly spec: CommandSpec;
      readonly keys: readonly ParsedKey[];
    }
  | { readonly ok: false; readonly error: CliParseError; readonly keys: readonly ParsedKey[] };

/** `get_cmdvec()` without the handler lookup: the recognised words, or the error. */
export function parseKeys(
  line: string,
): { ok: true; keys: ParsedKey[] } | { ok: false; error: CliParseError; keys: ParsedKey[] } {
  const tokens = tokenizeCommand(line);
  if (tokens === null)
    return { ok: false, error: { errno: "ENOMEM", reason: "empty", position: 0 }, keys: [] };
  const keys: ParsedKey[] = [];
  let pendingParam: { keyword: Keyword; word: string; position: number } | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "quote") continue;
    if (pendingParam !== null) {
      keys.push({ ...pendingParam, param: t.text });
      pendingParam = null;
      continue;
    }
    const kw = findKey(t.text);
    if (kw === null) {
      const last = i === tokens.length - 1;
      return {
        ok: false,
        error: {
          errno: last ? "ESRCH" : "ENOENT",
          reason: "unknown-keyword",
          position: t.position,
          word: t.text,
        },
        keys,
      };
    }
    if (kw.hasParam) pendingParam = { keyword: kw, word: t.text, position: t.position };
    else keys.push({ keyword: kw, word: t.text, position: t.position });
  }
  if (pendingParam !== null) {
    keys.push(pendingParam);
    return {
      ok: false,
      error: { errno: "EINVAL", reason: "missing-argument", position: line.length, word: pendingParam.word },
      keys,
    };
  }
  return { ok: true, keys };
}

/** `get_keyparam()`: the parameter of the first key with `code`. */
function keyParam(keys: readonly ParsedKey[], code: KeyCode): string {
  for (const k of keys) if (k.keyword.code === code) return k.param ?? "";
  return "";
}

/**
 * Parses a command line (C string semantics: it ends at the first NUL). Never throws on input.
 */
export function parseCommand(input: string): CommandParseResult {
  const nul = input.indexOf("\0");
  const line = nul >= 0 ? input.slice(0, nul) : input;
  const r = parseKeys(line);
  if (!r.ok) return r;
  const spec = specForFingerprint(fingerprint(r.keys.map((k) => k.keyword.code)));
  if (spec === undefined)
    return {
      ok: false,
      error: { errno: "EINVAL", reason: "no-handler", position: line.length },
      keys: r.keys,
    };
  const params: CommandParams = {
    path: keyParam(r.keys, KeyCode.PATH),
    map: keyParam(r.keys, KeyCode.MAP),
    format: keyParam(r.keys, KeyCode.FMT),
    group: keyParam(r.keys, KeyCode.GROUP),
    key: keyParam(r.keys, KeyCode.KEY),
  };
  return { ok: true, command: spec.build(params), spec: spec as CommandSpec, keys: r.keys };
}

/** Whether `s` survives the tokenizer as one bare word. */
function isBareWord(s: string): boolean {
  return /^[\x21-\x7e]+$/.test(s) && !/["!#{}]/.test(s);
}

/**
 * Quotes a parameter so the tokenizer gives it back unchanged: bare when it can be, otherwise in
 * double quotes with `"` doubled. The empty string cannot be a parameter (`""` is skipped).
 */
export function quoteParam(s: string): string {
  if (s.length === 0) throw new RangeError("an empty parameter cannot be expressed on a command line");
  if (s.includes("\0")) throw new RangeError("a parameter cannot contain NUL");
  return isBareWord(s) ? s : `"${s.replaceAll('"', '""')}"`;
}

/**
 * A command line for `cmd`, using each keyword's first spelling (`list paths format "%d %t"`).
 * `parseCommand(formatCommand(c))` gives back `c` for every command with non-empty parameters.
 */
export function formatCommand(cmd: Command): string {
  const spec = specForKind(cmd.kind) as CommandSpec<CommandKind>;
  const params = spec.params(cmd as never) as Partial<Record<string, string>>;
  const words: string[] = [];
  for (const code of spec.codes) {
    const kw = keywordForCode(code);
    words.push(kw.str);
    if (kw.hasParam) words.push(quoteParam(params[paramName(code)] ?? ""));
  }
  return words.join(" ");
}

function paramName(code: KeyCode): keyof CommandParams {
  switch (code) {
    case KeyCode.PATH:
      return "path";
    case KeyCode.MAP:
      return "map";
    case KeyCode.FMT:
      return "format";
    case KeyCode.GROUP:
      return "group";
    case KeyCode.KEY:
      return "key";
    default:
      throw new RangeError(`keyword code ${code} takes no parameter`);
  }
}

/** Every command kind, in table (help) order. */
export const COMMAND_KINDS: readonly CommandKind[] = COMMAND_SPECS.map((s) => s.kind);
