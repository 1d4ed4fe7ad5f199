/**
 * multipathd's command keywords (multipathd/cli.h, cli.c `load_keys`): each word has a one-byte
 * code; synonyms share a code (`list`/`show`, `remove`/`del`, `maps`/`multipaths`, ...). A command
 * is the sequence of codes of its words, so word order matters.
 */

/** Keyword codes: verbs (1..25) and qualifiers (65..83), as in 0.9.4. */
export const KeyCode = {
  INVALID: 0,
  LIST: 1,
  ADD: 2,
  DEL: 3,
  RESET: 4,
  SWITCH: 5,
  RECONFIGURE: 6,
  SUSPEND: 7,
  RESUME: 8,
  RESIZE: 9,
  RELOAD: 10,
  FAIL: 11,
  REINSTATE: 12,
  DISABLEQ: 13,
  RESTOREQ: 14,
  FORCEQ: 15,
  GETPRSTATUS: 16,
  SETPRSTATUS: 17,
  UNSETPRSTATUS: 18,
  GETPRKEY: 19,
  SETPRKEY: 20,
  UNSETPRKEY: 21,
  SETMARGINAL: 22,
  UNSETMARGINAL: 23,
  SHUTDOWN: 24,
  QUIT: 25,
  PATH: 65,
  PATHS: 66,
  MAP: 67,
  MAPS: 68,
  TOPOLOGY: 69,
  CONFIG: 70,
  BLACKLIST: 71,
  DEVICES: 72,
  WILDCARDS: 73,
  ALL: 74,
  DAEMON: 75,
  FMT: 76,
  RAW: 77,
  STATUS: 78,
  STATS: 79,
  JSON: 80,
  LOCAL: 81,
  GROUP: 82,
  KEY: 83,
} as const;
/** One of {@link KeyCode}'s values. */
export type KeyCode = (typeof KeyCode)[keyof typeof KeyCode];

/** A keyword: its spelling, code, and whether the next word is its parameter. */
export interface Keyword {
  readonly str: string;
  readonly code: KeyCode;
  readonly hasParam: boolean;
}

const k = (str: string, code: KeyCode, hasParam = false): Keyword => ({ str, code, hasParam });

/** The keyword table in upstream's order (the order decides abbreviation ties and help spelling). */
export const KEYWORDS: readonly Keyword[] = [
  k("list", KeyCode.LIST),
  k("show", KeyCode.LIST),
  k("add", KeyCode.ADD),
  k("remove", KeyCode.DEL),
  k("del", KeyCode.DEL),
  k("switch", KeyCode.SWITCH),
  k("switchgroup", KeyCode.SWITCH),
  k("suspend", KeyCode.SUSPEND),
  k("resume", KeyCode.RESUME),
  k("reinstate", KeyCode.REINSTATE),
  k("fail", KeyCode.FAIL),
  k("resize", KeyCode.RESIZE),
  k("reset", KeyCode.RESET),
  k("reload", KeyCode.RELOAD),
  k("forcequeueing", KeyCode.FORCEQ),
  k("disablequeueing", KeyCode.DISABLEQ),
  k("restorequeueing", KeyCode.RESTOREQ),
  k("paths", KeyCode.PATHS),
  k("maps", KeyCode.MAPS),
  k("multipaths", KeyCode.MAPS),
  k("path", KeyCode.PATH, true),
  k("map", KeyCode.MAP, true),
  k("multipath", KeyCode.MAP, true),
  k("group", KeyCode.GROUP, true),
  k("reconfigure", KeyCode.RECONFIGURE),
  k("daemon", KeyCode.DAEMON),
  k("status", KeyCode.STATUS),
  k("stats", KeyCode.STATS),
  k("topology", KeyCode.TOPOLOGY),
  k("config", KeyCode.CONFIG),
  k("blacklist", KeyCode.BLACKLIST),
  k("devices", KeyCode.DEVICES),
  k("raw", KeyCode.RAW),
  k("wildcards", KeyCode.WILDCARDS),
  k("quit", KeyCode.QUIT),
  k("exit", KeyCode.QUIT),
  k("shutdown", KeyCode.SHUTDOWN),
  k("getprstatus", KeyCode.GETPRSTATUS),
  k("setprstatus", KeyCode.SETPRSTATUS),
  k("unsetprstatus", KeyCode.UNSETPRSTATUS),
  k("format", KeyCode.FMT, true),
  k("json", KeyCode.JSON),
  k("getprkey", KeyCode.GETPRKEY),
  k("setprkey", KeyCode.SETPRKEY),
  k("unsetprkey", KeyCode.UNSETPRKEY),
  k("key", KeyCode.KEY, true),
  k("local", KeyCode.LOCAL),
  k("setmarginal", KeyCode.SETMARGINAL),
  k("unsetmarginal", KeyCode.UNSETMARGINAL),
  k("all", KeyCode.ALL),
];

/**
 * `find_key()`: an exact spelling wins; otherwise a prefix of exactly one keyword (scanning in
 * table order, the first prefix match is kept and a second one makes the word ambiguous — even if
 * an exact match would come later). Case-sensitive.
 */
export function findKey(word: string): Keyword | null {
  let found: Keyword | null = null;
  for (const kw of KEYWORDS) {
    if (!kw.str.startsWith(word)) continue;
    if (kw.str.length === word.length) return kw;
    if (found === null) found = kw;
    else return null;
  }
  return found;
}

/** The first keyword with `code` (the spelling help text and canonical commands use). */
export function keywordForCode(code: KeyCode): Keyword {
  const kw = KEYWORDS.find((x) => x.code === code);
  if (kw === undefined) throw new RangeError(`no keyword for code ${code}`);
  return kw;
}

/** The other spellings of `kw`'s code, in table order (`show` for `list`). */
export function keywordAliases(kw: Keyword): Keyword[] {
  return KEYWORDS.filter((x) => x.code === kw.code && x !== kw);
}
