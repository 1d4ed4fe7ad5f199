/**
 * The multipath.conf keywords of multipath-tools 0.9.4 (libmultipath/dict.c): for every section,
 * in the order the tool installs them (which is the order `multipath -t` prints them), the value
 * parser with the tool's exact warnings, and the printer.
 */

import { ToolCrash } from "./log.js";
import { cstr, type HandlerSite, type Keyword, type Strvec, setValue } from "./parser.js";
import { compileEre } from "./regex.js";
import {
  ATTR_GID,
  ATTR_MODE,
  ATTR_UID,
  type BlacklistDeviceEntry,
  type BlacklistEntry,
  type BlacklistRegex,
  type BlacklistRules,
  type Config,
  type FailbackValue,
  type FindMultipaths,
  type HwEntry,
  type LogCheckerErr,
  MAX_DEV_LOSS_TMO,
  type MarginalPathgroups,
  type MpEntry,
  type NoOrNumber,
  type NoPathRetryValue,
  type OffOrNumber,
  type Overrides,
  type PcEntry,
  type PgPolicyName,
  PROTOCOL_NAMES,
  type ProtocolName,
  type ReservationKey,
  type RrWeightName,
} from "./structs.js";

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;
export const UINT_MAX = 0xffffffff;
/** `polling_interval` not set (CHECKINT_UNDEF). */
export const CHECKINT_UNDEF = UINT_MAX;
/** MAX_VERBOSITY in libmpathutil/debug.h. */
export const MAX_VERBOSITY = 4;
/** DEFAULT_REPLY_TIMEOUT (ms), the floor of `uxsock_timeout`. */
export const DEFAULT_REPLY_TIMEOUT = 4000;

/** A user database lookup (`getpwnam`), for the `uid` and `gid` keywords. */
export type UserLookup = (name: string) => { readonly uid: number; readonly gid: number } | undefined;

/** Process-wide state of libmultipath's "warn only once" messages (its `static bool warned`). */
export interface WarnOnce {
  readonly warned: Set<string>;
}

/** What the keyword handlers work on while a configuration is read. */
export interface ParseCtx {
  readonly conf: Config;
  /** `/proc/sys/fs/nr_open`, or undefined when it cannot be read. */
  readonly nrOpen: number | undefined;
  readonly lookupUser: UserLookup;
  readonly once: WarnOnce;
}

type W<T> = { -readonly [K in keyof T]: T[K] };
type Rec = Record<string, unknown>;

/* ------------------------------------------------------------------------------------------------
 * Number parsing with C library semantics.
 */

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);
const ULONG_MAX = (1n << 64n) - 1n;

/** `strtol(s, &end, 10)`: value clamped to long (`range` set, as ERANGE), end offset (0: no digits). */
function strtol(s: string): { value: bigint; end: number; range: boolean } {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const d0 = i;
  while (isDigit(s[i])) i++;
  if (i === d0) return { value: 0n, end: 0, range: false };
  let v = BigInt(s.slice(d0, i));
  if (neg) v = -v;
  if (v > LONG_MAX) return { value: LONG_MAX, end: i, range: true };
  if (v < LONG_MIN) return { value: LONG_MIN, end: i, range: true };
  return { value: v, end: i, range: false };
}

/** `strtoul(s, &end, 10)` (64-bit, a minus sign negates modulo 2^64, overflow gives ULONG_MAX). */
function strtoul(s: string): { value: bigint; end: number } {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const d0 = i;
  while (isDigit(s[i])) i++;
  if (i === d0) return { value: 0n, end: 0 };
  let v = BigInt(s.slice(d0, i));
  if (v > ULONG_MAX) return { value: ULONG_MAX, end: i };
  if (neg && v !== 0n) v = (1n << 64n) - v;
  return { value: v, end: i };
}

/** `sscanf(s, "%u")` into an unsigned int, or undefined when nothing converts. */
function scanUint(s: string, radix: 8 | 10): number | undefined {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const d0 = i;
  while (s[i] !== undefined && (radix === 10 ? isDigit(s[i]) : s[i]! >= "0" && s[i]! <= "7")) i++;
  if (i === d0) return undefined;
  const digits = s.slice(d0, i);
  let v = radix === 10 ? BigInt(digits) : BigInt(`0o${digits}`);
  if (v > ULONG_MAX) v = ULONG_MAX;
  if (neg) v = ((1n << 64n) - v) & ULONG_MAX;
  return Number(v & 0xffffffffn);
}

/* ------------------------------------------------------------------------------------------------
 * Value parsers: each returns the new value, UNSET (store "not set"), or KEEP (invalid: logged,
 * the previous value stays).
 */

const KEEP: unique symbol = Symbol("keep");
const UNSET: unique symbol = Symbol("unset");
type Parsed<T> = T | typeof KEEP | typeof UNSET;
type Parser<T> = (buf: string, kw: string, at: HandlerSite, ctx: ParseCtx) => Parsed<T>;

const warnInvalid = (at: HandlerSite, kw: string, buf: string): void =>
  at.log.add(1, "invalid-value", `${at.file} line ${at.line}, invalid value for ${kw}: "${buf}"`, at);

/** `do_set_int`: a decimal in [min, max]; out-of-range values are capped with a warning. */
function doSetInt(buf: string, min: number, max: number, kw: string, at: HandlerSite): number | typeof KEEP {
  const { value, end } = strtol(buf);
  let e = end;
  if (end > 0) while (isSpace(buf[e])) e++;
  if (buf === "" || e < buf.length) {
    warnInvalid(at, kw, buf);
    return KEEP;
  }
  if (value > BigInt(max) || value < BigInt(min)) {
    const res = value > BigInt(max) ? max : min;
    at.log.add(
      1,
      "value-capped",
      `${at.file} line ${at.line}, value for ${kw} too ${res === max ? "large" : "small"}, capping at ${res}`,
      at,
    );
    return res;
  }
  return Number(value);
}

/** An int in [min, max]; `zeroUnset` where libmultipath's 0 means "not set". */
const pInt =
  (min: number, max: number, zeroUnset: boolean): Parser<number> =>
  (buf, kw, at) => {
    const v = doSetInt(buf, min, max, kw, at);
    return v === 0 && zeroUnset ? UNSET : v;
  };

/** `set_uint`. */
const pUint: Parser<number> = (buf, kw, at) => {
  let p = 0;
  while (isSpace(buf[p])) p++;
  const { value, end } = strtoul(buf.slice(p));
  let e = end === 0 ? 0 : p + end;
  if (e > 0) while (isSpace(buf[e])) e++;
  if (buf === "" || e < buf.length || !isDigit(buf[p]) || value > BigInt(UINT_MAX)) {
    warnInvalid(at, kw, buf);
    return KEEP;
  }
  return Number(value);
};

const pYesNo: Parser<boolean> = (buf, kw, at) => {
  if (buf === "yes" || buf === "1") return true;
  if (buf === "no" || buf === "0") return false;
  warnInvalid(at, kw, buf);
  return KEEP;
};

const pStr: Parser<string> = (buf) => buf;

/** `set_arg_str`: a string whose word at `countIdx` counts the words after it. */
const pArgStr =
  (countIdx: number): Parser<string> =>
  (buf, kw, at) => {
    const spaces = " \f\r\t\v";
    let p = 0;
    let idx = -1;
    let count = -1n;
    while (p < buf.length) {
      while (p < buf.length && spaces.includes(buf[p]!)) p++;
      if (p >= buf.length) break;
      idx++;
      if (idx === countIdx) {
        const { value, end, range } = strtol(buf.slice(p));
        const next = buf[p + end];
        if (range || end === 0 || !(next === undefined || isSpace(next))) {
          count = -1n;
          break;
        }
        count = value;
      }
      while (p < buf.length && !spaces.includes(buf[p]!)) p++;
    }
    if (count < 0n) {
      at.log.add(1, "missing-arg-count", `${at.file} line ${at.line}, missing argument count for ${kw}`, at);
      return KEEP;
    }
    if (count !== BigInt(idx - countIdx)) {
      at.log.add(
        1,
        "invalid-arg-count",
        `${at.file} line ${at.line}, invalid argument count for ${kw}:, got '${count}' expected '${idx - countIdx}'`,
        at,
      );
      return KEEP;
    }
    return buf;
  };

const pPath: Parser<string> = (buf, _kw, at) => {
  if (buf[0] !== "/") {
    at.log.add(1, "not-absolute", `${at.file} line ${at.line}, ${buf} is not an absolute path. Ignoring`, at);
    return KEEP;
  }
  return buf;
};

const pNoSlash: Parser<string> = (buf, _kw, at) => {
  if (buf.includes("/")) {
    at.log.add(
      1,
      "contains-slash",
      `${at.file} line ${at.line}, ${buf} cannot contain a slash. Ignoring`,
      at,
    );
    return KEEP;
  }
  return buf;
};

/** `get_pgpolicy_id` compares prefixes: "multibus_x" is multibus. */
export function pgPolicyId(s: string): PgPolicyName | undefined {
  if (s.startsWith("failover")) return "failover";
  if (s.startsWith("multibus")) return "multibus";
  if (s.startsWith("group_by_serial")) return "group_by_serial";
  if (s.startsWith("group_by_prio")) return "group_by_prio";
  if (s.startsWith("group_by_node_name")) return "group_by_node_name";
  return undefined;
}

const pPgPolicy: Parser<PgPolicyName> = (buf, _kw, at) => {
  const p = pgPolicyId(buf);
  if (p === undefined) {
    warnInvalid(at, "path_grouping_policy", buf);
    return KEEP;
  }
  return p;
};

const pFailback: Parser<FailbackValue> = (buf, kw, at) => {
  if (buf === "manual" || buf === "immediate" || buf === "followover") return buf;
  const v = doSetInt(buf, 0, INT_MAX, kw, at);
  return v === 0 ? UNSET : v;
};

const pNoPathRetry: Parser<NoPathRetryValue> = (buf, kw, at) => {
  if (buf === "fail" || buf === "0") return "fail";
  if (buf === "queue") return "queue";
  return doSetInt(buf, 1, INT_MAX, kw, at);
};

const pRrWeight: Parser<RrWeightName> = (buf, _kw, at) => {
  if (buf === "priorities" || buf === "uniform") return buf;
  warnInvalid(at, "rr_weight", buf);
  return KEEP;
};

/** `set_off_int_undef`. */
const pNoOrInt: Parser<NoOrNumber> = (buf, kw, at) => {
  if (buf === "no" || buf === "0") return "no";
  return doSetInt(buf, 1, INT_MAX, kw, at);
};

/** `set_undef_off_zero`. */
const pOffOrInt: Parser<OffOrNumber> = (buf, kw, at) => {
  if (buf === "off") return "off";
  if (buf === "0") return 0;
  return doSetInt(buf, 1, INT_MAX, kw, at);
};

/** `set_dev_loss`: "infinity" or `%u` (0 = not set). */
const pDevLoss: Parser<number> = (buf, _kw, at) => {
  if (buf === "infinity") return MAX_DEV_LOSS_TMO;
  const v = scanUint(buf, 10);
  if (v === undefined) {
    warnInvalid(at, "dev_loss_tmo", buf);
    return KEEP;
  }
  return v === 0 ? UNSET : v;
};

const FIND_MULTIPATHS: readonly FindMultipaths[] = ["off", "on", "strict", "greedy", "smart"];
const pFindMultipaths: Parser<FindMultipaths> = (buf, _kw, at) => {
  const hit = FIND_MULTIPATHS.find((v) => v === buf);
  if (hit !== undefined) return hit;
  if (buf === "no" || buf === "0") return "off";
  if (buf === "yes" || buf === "1") return "on";
  warnInvalid(at, "find_multipaths", buf);
  return KEEP;
};

const pMarginalPathgroups: Parser<MarginalPathgroups> = (buf, _kw, at) => {
  if (buf === "off" || buf === "on") return buf;
  if (buf === "no" || buf === "0") return "off";
  if (buf === "yes" || buf === "1") return "on";
  if (buf === "fpin")
    at.log.add(
      1,
      "not-compiled",
      `${at.file} line ${at.line}, support for "fpin" is not compiled in for marginal_pathgroups`,
      at,
    );
  else warnInvalid(at, "marginal_pathgroups", buf);
  return KEEP;
};

const pLogCheckerErr: Parser<LogCheckerErr> = (buf, _kw, at) => {
  if (buf === "once" || buf === "always") return buf;
  warnInvalid(at, "log_checker_err", buf);
  return KEEP;
};

const pVpdVendor: Parser<"hp3par"> = (buf, _kw, at) => {
  if (buf === "undef") return UNSET;
  if (buf === "hp3par") return buf;
  warnInvalid(at, "vpd_vendor", buf);
  return KEEP;
};

const pProtocolType: Parser<ProtocolName> = (buf, _kw, at) => {
  const hit = PROTOCOL_NAMES.find((n) => n === buf);
  if (hit !== undefined) return hit;
  warnInvalid(at, "type", buf);
  return KEEP;
};

/** `parse_prkey_flags`: `[0][x]HEX` (1..16 digits) with an optional `:aptpl`. */
export function parseReservationKey(s: string): ReservationKey | undefined {
  if (s === "file") return { source: "file" };
  const colon = s.indexOf(":");
  let aptpl = false;
  let ptr = s;
  if (colon >= 0) {
    aptpl = s.slice(colon + 1) === "aptpl";
    ptr = s.slice(0, colon);
  }
  let i = 0;
  if (ptr[i] === "0") i++;
  if (ptr[i] === "x" || ptr[i] === "X") i++;
  const hex = ptr.slice(i);
  if (hex === "" || hex.length > 16 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return { source: "conf", key: BigInt(`0x${hex}`), aptpl };
}

/* ------------------------------------------------------------------------------------------------
 * Printers (`snprint_*`): the text after the keyword, or null for "print no line".
 */

/** `append_strbuf_quoted`: in double quotes, each `"` doubled. */
export const quote = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export const printInt = (v: number): string => String(v);
const printNonzero = (v: number | undefined): string | null => (v ? String(v) : null);
const printStr = (v: string | undefined): string | null => (v === undefined ? null : quote(v));
const printYesNo = (v: boolean): string => quote(v ? "yes" : "no");
const printYesNoUndef = (v: boolean | undefined): string | null => (v === undefined ? null : printYesNo(v));
const printPgPolicy = (v: PgPolicyName | undefined): string | null => (v === undefined ? null : quote(v));
export const printFailback = (v: FailbackValue | undefined): string | null =>
  v === undefined ? null : typeof v === "number" ? String(v) : quote(v);
export const printNoPathRetry = (v: NoPathRetryValue | undefined): string | null =>
  v === undefined ? null : typeof v === "number" ? String(v) : quote(v);
const printRrWeight = (v: RrWeightName | undefined): string | null => (v === undefined ? null : quote(v));
export const printNoOrNumber = (v: NoOrNumber | undefined): string | null =>
  v === undefined ? null : v === "no" ? quote("no") : String(v);
/** "off" and numbers are printed without quotes. */
export const printOffOrNumber = (v: OffOrNumber | undefined): string | null =>
  v === undefined ? null : String(v);
export const printDevLoss = (v: number | undefined): string | null =>
  v === undefined ? null : v >= MAX_DEV_LOSS_TMO ? quote("infinity") : String(v);
const printOctal = (v: number): string => `0${v.toString(8)}`;
export function printReservationKey(k: ReservationKey | undefined): string | null {
  if (k === undefined) return null;
  if (k.source === "file") return quote("file");
  return `0x${k.key.toString(16)}${k.aptpl ? ":aptpl" : ""}`;
}

/* ------------------------------------------------------------------------------------------------
 * Keyword specifications.
 */

/** A keyword of a section whose entries are `T`: handler and printer. */
export interface KeywordSpec<T> {
  readonly name: string;
  /** False for `install_keyword_multi` keywords (may repeat). */
  readonly unique?: boolean;
  readonly handle?: (target: T, v: Strvec, at: HandlerSite, ctx: ParseCtx) => number;
  /** Null when the keyword prints nothing (unset, or a keyword without printer). */
  readonly print?: (target: T, ctx: PrintCtx) => string | null;
}

/** What printers need besides the entry. */
export interface PrintCtx {
  /** `/proc/sys/fs/nr_open` (for `max_fds "max"`), or undefined when unreadable. */
  readonly nrOpen: number | undefined;
}

const missingValue = (v: Strvec): boolean => setValue(v) === undefined;

/** A keyword storing a parsed value in `field`. */
function attr<T, V>(
  name: string,
  field: string,
  parse: Parser<V>,
  print?: (v: V | undefined, target: T, ctx: PrintCtx) => string | null,
): KeywordSpec<T> {
  const spec: W<KeywordSpec<T>> = {
    name,
    handle: (target, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const r = parse(buf, cstr(v.tokens[0]), at, ctx);
      if (r === KEEP) return 0;
      if (r === UNSET) delete (target as Rec)[field];
      else (target as Rec)[field] = r;
      return 0;
    },
  };
  if (print !== undefined) spec.print = (t, ctx) => print((t as Rec)[field] as V | undefined, t, ctx);
  return spec;
}

/** A deprecated keyword: warned about once per process, value ignored. */
function deprecated<T>(name: string): KeywordSpec<T> {
  return {
    name,
    handle: (_t, v, at, ctx) => {
      if (!ctx.once.warned.has(`deprecated:${name}`)) {
        ctx.once.warned.add(`deprecated:${name}`);
        at.log.add(1, "deprecated", `${at.file} line ${at.line}: ignoring deprecated option "${name}"`, at);
      }
      return missingValue(v) ? 1 : 0;
    },
    print: () => null,
  };
}

/* Attribute keywords shared by devices, overrides and multipaths; `T` is the entry type. */
const sharedAttrs = {
  path_grouping_policy: <T>() =>
    attr<T, PgPolicyName>("path_grouping_policy", "pathGroupingPolicy", pPgPolicy, printPgPolicy),
  uid_attribute: <T>() => attr<T, string>("uid_attribute", "uidAttribute", pStr, printStr),
  path_selector: <T>() => attr<T, string>("path_selector", "pathSelector", pArgStr(1), printStr),
  path_checker: <T>() => attr<T, string>("path_checker", "pathChecker", pStr, printStr),
  checker: <T>() => attr<T, string>("checker", "pathChecker", pStr),
  alias_prefix: <T>() => attr<T, string>("alias_prefix", "aliasPrefix", pNoSlash, printStr),
  features: <T>() => attr<T, string>("features", "features", pArgStr(0), printStr),
  prio: <T>() => attr<T, string>("prio", "prio", pStr, printStr),
  prio_args: <T>() => attr<T, string>("prio_args", "prioArgs", pStr, printStr),
  failback: <T>() => attr<T, FailbackValue>("failback", "failback", pFailback, printFailback),
  rr_weight: <T>() => attr<T, RrWeightName>("rr_weight", "rrWeight", pRrWeight, printRrWeight),
  no_path_retry: <T>() =>
    attr<T, NoPathRetryValue>("no_path_retry", "noPathRetry", pNoPathRetry, printNoPathRetry),
  rr_min_io: <T>() => attr<T, number>("rr_min_io", "rrMinIo", pInt(0, INT_MAX, true), printNonzero),
  rr_min_io_rq: <T>() => attr<T, number>("rr_min_io_rq", "rrMinIoRq", pInt(0, INT_MAX, true), printNonzero),
  flush_on_last_del: <T>() =>
    attr<T, boolean>("flush_on_last_del", "flushOnLastDel", pYesNo, printYesNoUndef),
  fast_io_fail_tmo: <T>() =>
    attr<T, OffOrNumber>("fast_io_fail_tmo", "fastIoFailTmo", pOffOrInt, printOffOrNumber),
  dev_loss_tmo: <T>() => attr<T, number>("dev_loss_tmo", "devLossTmo", pDevLoss, printDevLoss),
  eh_deadline: <T>() => attr<T, OffOrNumber>("eh_deadline", "ehDeadline", pOffOrInt, printOffOrNumber),
  user_friendly_names: <T>() =>
    attr<T, boolean>("user_friendly_names", "userFriendlyNames", pYesNo, printYesNoUndef),
  retain_attached_hw_handler: <T>() =>
    attr<T, boolean>("retain_attached_hw_handler", "retainAttachedHwHandler", pYesNo, printYesNoUndef),
  detect_prio: <T>() => attr<T, boolean>("detect_prio", "detectPrio", pYesNo, printYesNoUndef),
  detect_checker: <T>() => attr<T, boolean>("detect_checker", "detectChecker", pYesNo, printYesNoUndef),
  deferred_remove: <T>() => attr<T, boolean>("deferred_remove", "deferredRemove", pYesNo, printYesNoUndef),
  skip_kpartx: <T>() => attr<T, boolean>("skip_kpartx", "skipKpartx", pYesNo, printYesNoUndef),
  max_sectors_kb: <T>() =>
    attr<T, number>("max_sectors_kb", "maxSectorsKb", pInt(0, INT_MAX, true), printNonzero),
  ghost_delay: <T>() => attr<T, NoOrNumber>("ghost_delay", "ghostDelay", pNoOrInt, printNoOrNumber),
  all_tg_pt: <T>() => attr<T, boolean>("all_tg_pt", "allTgPt", pYesNo, printYesNoUndef),
  recheck_wwid: <T>() => attr<T, boolean>("recheck_wwid", "recheckWwid", pYesNo, printYesNoUndef),
} as const;

/** The `delay_*`, `san_path_*` and `marginal_path_*` keywords, in install order. */
const NO_OR_INT_KEYWORDS: readonly (readonly [string, string])[] = [
  ["delay_watch_checks", "delayWatchChecks"],
  ["delay_wait_checks", "delayWaitChecks"],
  ["san_path_err_threshold", "sanPathErrThreshold"],
  ["san_path_err_forget_rate", "sanPathErrForgetRate"],
  ["san_path_err_recovery_time", "sanPathErrRecoveryTime"],
  ["marginal_path_err_sample_time", "marginalPathErrSampleTime"],
  ["marginal_path_err_rate_threshold", "marginalPathErrRateThreshold"],
  ["marginal_path_err_recheck_gap_time", "marginalPathErrRecheckGapTime"],
  ["marginal_path_double_failed_time", "marginalPathDoubleFailedTime"],
];
const noOrIntAttrs = <T>(dflt?: NoOrNumber): KeywordSpec<T>[] =>
  NO_OR_INT_KEYWORDS.map(([k, f]) => attr<T, NoOrNumber>(k, f, pNoOrInt, (v) => printNoOrNumber(v ?? dflt)));

/* mode / uid / gid: attribute flags plus an octal printer. */
function attrFlagKeyword<T extends { attributeFlags: number; uid: number; gid: number; mode: number }>(
  name: "mode" | "uid" | "gid",
): KeywordSpec<T> {
  const bit = name === "mode" ? ATTR_MODE : name === "uid" ? ATTR_UID : ATTR_GID;
  return {
    name,
    handle: (t, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      if (name === "mode") {
        const m = scanUint(buf, 8);
        if (m !== undefined && m <= 0o777) {
          t.attributeFlags |= bit;
          t.mode = m;
        } else
          at.log.add(1, "invalid-value", `${at.file} line ${at.line}, invalid value for mode: "${buf}"`, at);
        return 0;
      }
      const user = ctx.lookupUser(buf);
      const id = user !== undefined ? (name === "uid" ? user.uid : user.gid) : scanUint(buf, 10);
      if (id !== undefined) {
        t.attributeFlags |= bit;
        t[name] = id;
      } else
        at.log.add(1, "invalid-value", `${at.file} line ${at.line}, invalid value for ${name}: "${buf}"`, at);
      return 0;
    },
    print: (t) => ((t.attributeFlags & bit) === 0 ? null : printOctal(t[name])),
  };
}

function reservationKeyKeyword<T extends { reservationKey?: ReservationKey }>(): KeywordSpec<T> {
  return {
    name: "reservation_key",
    handle: (t, v) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const k = parseReservationKey(buf);
      if (k === undefined) return 1;
      t.reservationKey = k;
      return 0;
    },
    print: (t) => printReservationKey(t.reservationKey),
  };
}

/* ------------------------------------------------------------------------------------------------
 * defaults
 */

const withDefault =
  <V>(print: (v: V | undefined) => string | null, dflt: V) =>
  (v: V | undefined): string | null =>
    print(v ?? dflt);

/** Built-in defaults printed for unset `defaults` values (the `declare_def_snprint_def*` ones). */
export const DEFAULTS = {
  pathSelector: "service-time 0",
  uidAttribute: "ID_SERIAL",
  prio: "const",
  prioArgs: "",
  features: "0",
  pathChecker: "tur",
  aliasPrefix: "mpath",
  enableForeign: "NONE",
  pathGroupingPolicy: "failover" as PgPolicyName,
  failback: "manual" as FailbackValue,
  rrMinIo: 1000,
  rrMinIoRq: 1,
  rrWeight: "uniform" as RrWeightName,
  flushOnLastDel: false,
  userFriendlyNames: false,
  retainAttachedHwHandler: true,
  detectPrio: true,
  detectChecker: true,
  deferredRemove: false,
  skipKpartx: false,
  fastIoFailTmo: 5 as OffOrNumber,
  findMultipathsTimeout: -10,
  allTgPt: false,
  recheckWwid: false,
  noOrNumber: "no" as NoOrNumber,
} as const;

const warnDeprecatedPath = (
  name: "bindings_file" | "wwids_file" | "prkeys_file",
  field: string,
): KeywordSpec<Config> => {
  const inner = attr<Config, string>(name, field, pPath, printStr);
  return {
    name,
    handle: (t, v, at, ctx) => {
      if (!ctx.once.warned.has(`warn:${name}`)) {
        ctx.once.warned.add(`warn:${name}`);
        at.log.add(
          2,
          "deprecated",
          `${at.file} line ${at.line}, "${name}" is deprecated and will be disabled in a future release`,
          at,
        );
      }
      return inner.handle!(t, v, at, ctx);
    },
    print: inner.print!,
  };
};

/** `get_word` splitting of `uid_attrs` (on spaces only); records need a colon. */
function parseUidAttrs(
  val: string,
  log: HandlerSite["log"],
  at: HandlerSite,
): { attrs: string[]; ok: boolean } {
  const attrs: string[] = [];
  let ok = true;
  for (const word of val.split(" ")) {
    if (word === "") continue;
    if (!word.includes(":")) {
      log.add(2, "invalid-uid-attrs", `invalid record in uid_attrs: ${word}`, at);
      ok = false;
    } else attrs.push(word);
  }
  return { attrs, ok };
}

const D = (name: string, field: keyof Config, parse: Parser<unknown>, print: (v: never) => string | null) =>
  attr<Config, unknown>(name, field, parse, print as (v: unknown) => string | null);

/** `defaults` keywords in install order. */
export const DEFAULTS_KEYWORDS: readonly KeywordSpec<Config>[] = [
  D("verbosity", "verbosity", pInt(0, MAX_VERBOSITY, false), printInt),
  {
    name: "polling_interval",
    handle: (t, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const r = pUint(buf, cstr(v.tokens[0]), at, ctx);
      if (typeof r === "number") t.pollingInterval = r;
      // An unset (or UINT_MAX) interval after a polling_interval line becomes UINT_MAX - 1.
      if (t.pollingInterval === CHECKINT_UNDEF) t.pollingInterval--;
      return 0;
    },
    print: (t) => printInt(t.pollingInterval),
  },
  D("max_polling_interval", "maxPollingInterval", pUint, printInt),
  D("reassign_maps", "reassignMaps", pYesNo, printYesNo),
  deprecated("multipath_dir"),
  D("path_selector", "pathSelector", pArgStr(1), withDefault(printStr, DEFAULTS.pathSelector)),
  D(
    "path_grouping_policy",
    "pathGroupingPolicy",
    pPgPolicy,
    withDefault(printPgPolicy, DEFAULTS.pathGroupingPolicy),
  ),
  {
    name: "uid_attrs",
    handle: (t, v, at) => {
      t.uidAttrs = [];
      const val = setValue(v);
      if (val === undefined) return 1;
      const { attrs, ok } = parseUidAttrs(val, at.log, at);
      t.uidAttrs = attrs;
      if (!ok)
        at.log.add(
          1,
          "invalid-uid-attrs",
          `${at.file} line ${at.line},error parsing uid_attrs: "${val}"`,
          at,
        );
      else at.log.add(4, "uid-attrs", `parsed ${attrs.length} uid_attrs`, at);
      return 0;
    },
    print: (t) => (t.uidAttrs.length === 0 ? null : t.uidAttrs.join(" ")),
  },
  D("uid_attribute", "uidAttribute", pStr, withDefault(printStr, DEFAULTS.uidAttribute)),
  deprecated("getuid_callout"),
  D("prio", "prio", pStr, withDefault(printStr, DEFAULTS.prio)),
  D("prio_args", "prioArgs", pStr, withDefault(printStr, DEFAULTS.prioArgs)),
  D("features", "features", pArgStr(0), withDefault(printStr, DEFAULTS.features)),
  D("path_checker", "pathChecker", pStr, withDefault(printStr, DEFAULTS.pathChecker)),
  { name: "checker", handle: attr<Config, string>("checker", "pathChecker", pStr).handle! },
  D("alias_prefix", "aliasPrefix", pNoSlash, withDefault(printStr, DEFAULTS.aliasPrefix)),
  D("failback", "failback", pFailback, withDefault(printFailback, DEFAULTS.failback)),
  D("rr_min_io", "rrMinIo", pInt(0, INT_MAX, true), withDefault(printNonzero, DEFAULTS.rrMinIo)),
  D("rr_min_io_rq", "rrMinIoRq", pInt(0, INT_MAX, true), withDefault(printNonzero, DEFAULTS.rrMinIoRq)),
  {
    name: "max_fds",
    handle: (t, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const sysMax = ctx.nrOpen ?? 4096;
      if (buf === "max") t.maxFds = sysMax;
      else {
        const r = doSetInt(buf, 0, sysMax, cstr(v.tokens[0]), at);
        if (r !== KEEP) t.maxFds = r;
      }
      return 0;
    },
    print: (t, ctx) => {
      if (!t.maxFds) return null;
      if (ctx.nrOpen !== undefined && t.maxFds >= ctx.nrOpen) return quote("max");
      return printInt(t.maxFds);
    },
  },
  D("rr_weight", "rrWeight", pRrWeight, withDefault(printRrWeight, DEFAULTS.rrWeight)),
  D("no_path_retry", "noPathRetry", pNoPathRetry, printNoPathRetry),
  {
    name: "queue_without_daemon",
    handle: (t, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const r = pYesNo(buf, cstr(v.tokens[0]), at, ctx);
      if (typeof r === "boolean") t.queueWithoutDaemon = r ? "yes" : "no";
      return 0;
    },
    print: (t) => quote(t.queueWithoutDaemon),
  },
  D("checker_timeout", "checkerTimeout", pInt(0, INT_MAX, false), printNonzero),
  D("allow_usb_devices", "allowUsbDevices", pYesNo, printYesNo),
  deprecated("pg_timeout"),
  D("flush_on_last_del", "flushOnLastDel", pYesNo, withDefault(printYesNoUndef, DEFAULTS.flushOnLastDel)),
  D(
    "user_friendly_names",
    "userFriendlyNames",
    pYesNo,
    withDefault(printYesNoUndef, DEFAULTS.userFriendlyNames),
  ),
  attrFlagKeyword<Config>("mode"),
  attrFlagKeyword<Config>("uid"),
  attrFlagKeyword<Config>("gid"),
  D("fast_io_fail_tmo", "fastIoFailTmo", pOffOrInt, withDefault(printOffOrNumber, DEFAULTS.fastIoFailTmo)),
  D("dev_loss_tmo", "devLossTmo", pDevLoss, printDevLoss),
  D("eh_deadline", "ehDeadline", pOffOrInt, printOffOrNumber),
  warnDeprecatedPath("bindings_file", "bindingsFile"),
  warnDeprecatedPath("wwids_file", "wwidsFile"),
  warnDeprecatedPath("prkeys_file", "prkeysFile"),
  D("log_checker_err", "logCheckerErr", pLogCheckerErr, (v: LogCheckerErr) =>
    quote(v === "once" ? "once" : "always"),
  ),
  reservationKeyKeyword<Config>(),
  D("all_tg_pt", "allTgPt", pYesNo, withDefault(printYesNoUndef, DEFAULTS.allTgPt)),
  D(
    "retain_attached_hw_handler",
    "retainAttachedHwHandler",
    pYesNo,
    withDefault(printYesNoUndef, DEFAULTS.retainAttachedHwHandler),
  ),
  D("detect_prio", "detectPrio", pYesNo, withDefault(printYesNoUndef, DEFAULTS.detectPrio)),
  D("detect_checker", "detectChecker", pYesNo, withDefault(printYesNoUndef, DEFAULTS.detectChecker)),
  D("force_sync", "forceSync", pYesNo, printYesNo),
  D("strict_timing", "strictTiming", pYesNo, printYesNo),
  D("deferred_remove", "deferredRemove", pYesNo, withDefault(printYesNoUndef, DEFAULTS.deferredRemove)),
  {
    name: "partition_delimiter",
    handle: (t, v, at, ctx) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const r = pNoSlash(buf, cstr(v.tokens[0]), at, ctx);
      if (typeof r === "string") t.partitionDelimiter = r;
      // 0.9.4 compares the kept value with "/UNSET/" without checking it exists: a rejected first
      // value crashes the tool.
      if (t.partitionDelimiter === undefined) throw new ToolCrash("SIGSEGV", "partition_delimiter");
      return 0;
    },
    print: (t) => printStr(t.partitionDelimiter),
  },
  deprecated("config_dir"),
  ...noOrIntAttrs<Config>(DEFAULTS.noOrNumber),
  D("find_multipaths", "findMultipaths", pFindMultipaths, (v: FindMultipaths) => quote(v)),
  D("uxsock_timeout", "uxsockTimeout", pInt(DEFAULT_REPLY_TIMEOUT, INT_MAX, false), printInt),
  D("retrigger_tries", "retriggerTries", pInt(0, INT_MAX, false), printInt),
  D("retrigger_delay", "retriggerDelay", pInt(0, INT_MAX, false), printInt),
  D("missing_uev_wait_timeout", "missingUevWaitTimeout", pInt(0, INT_MAX, false), printInt),
  D("skip_kpartx", "skipKpartx", pYesNo, withDefault(printYesNoUndef, DEFAULTS.skipKpartx)),
  { name: "disable_changed_wwids", handle: () => 0, print: () => quote("ignored") },
  D("remove_retries", "removeRetries", pInt(0, INT_MAX, false), printInt),
  D("max_sectors_kb", "maxSectorsKb", pInt(0, INT_MAX, true), printNonzero),
  D("ghost_delay", "ghostDelay", pNoOrInt, printNoOrNumber),
  D(
    "find_multipaths_timeout",
    "findMultipathsTimeout",
    pInt(INT_MIN, INT_MAX, true),
    (v: number | undefined) => printInt(v ?? DEFAULTS.findMultipathsTimeout),
  ),
  D("enable_foreign", "enableForeign", pStr, withDefault(printStr, DEFAULTS.enableForeign)),
  D("marginal_pathgroups", "marginalPathgroups", pMarginalPathgroups, (v: MarginalPathgroups) => quote(v)),
  D("recheck_wwid", "recheckWwid", pYesNo, withDefault(printYesNoUndef, DEFAULTS.recheckWwid)),
];

/* ------------------------------------------------------------------------------------------------
 * devices / device, overrides (+ protocol), multipaths / multipath
 */

const S = sharedAttrs;

/** `devices { device { ... } }` keywords in install order. */
export const DEVICE_KEYWORDS: readonly KeywordSpec<HwEntry>[] = [
  attr<HwEntry, string>("vendor", "vendor", pStr, printStr),
  attr<HwEntry, string>("product", "product", pStr, printStr),
  attr<HwEntry, string>("revision", "revision", pStr, printStr),
  attr<HwEntry, string>("product_blacklist", "productBlacklist", pStr, printStr),
  S.path_grouping_policy(),
  S.uid_attribute(),
  deprecated("getuid_callout"),
  S.path_selector(),
  S.path_checker(),
  S.checker(),
  S.alias_prefix(),
  S.features(),
  attr<HwEntry, string>("hardware_handler", "hardwareHandler", pArgStr(0), printStr),
  S.prio(),
  S.prio_args(),
  S.failback(),
  S.rr_weight(),
  S.no_path_retry(),
  S.rr_min_io(),
  S.rr_min_io_rq(),
  deprecated("pg_timeout"),
  S.flush_on_last_del(),
  S.fast_io_fail_tmo(),
  S.dev_loss_tmo(),
  S.eh_deadline(),
  S.user_friendly_names(),
  S.retain_attached_hw_handler(),
  S.detect_prio(),
  S.detect_checker(),
  S.deferred_remove(),
  ...noOrIntAttrs<HwEntry>(),
  S.skip_kpartx(),
  S.max_sectors_kb(),
  S.ghost_delay(),
  S.all_tg_pt(),
  attr<HwEntry, "hp3par">("vpd_vendor", "vpdVendor", pVpdVendor, printStr),
  S.recheck_wwid(),
];

/** `overrides` keywords in install order (the `protocol` subsection is separate). */
export const OVERRIDES_KEYWORDS: readonly KeywordSpec<Overrides>[] = [
  S.path_grouping_policy(),
  S.uid_attribute(),
  deprecated("getuid_callout"),
  S.path_selector(),
  S.path_checker(),
  S.checker(),
  S.alias_prefix(),
  S.features(),
  S.prio(),
  S.prio_args(),
  S.failback(),
  S.rr_weight(),
  S.no_path_retry(),
  S.rr_min_io(),
  S.rr_min_io_rq(),
  S.flush_on_last_del(),
  S.fast_io_fail_tmo(),
  S.dev_loss_tmo(),
  S.eh_deadline(),
  S.user_friendly_names(),
  S.retain_attached_hw_handler(),
  S.detect_prio(),
  S.detect_checker(),
  S.deferred_remove(),
  ...noOrIntAttrs<Overrides>(),
  S.skip_kpartx(),
  S.max_sectors_kb(),
  S.ghost_delay(),
  S.all_tg_pt(),
  S.recheck_wwid(),
];

/** `overrides { protocol { ... } }` keywords. */
export const PROTOCOL_KEYWORDS: readonly KeywordSpec<PcEntry>[] = [
  attr<PcEntry, ProtocolName>("type", "type", pProtocolType, printStr),
  S.fast_io_fail_tmo(),
  S.dev_loss_tmo(),
  S.eh_deadline(),
];

/** `multipaths { multipath { ... } }` keywords in install order. */
export const MULTIPATH_KEYWORDS: readonly KeywordSpec<MpEntry>[] = [
  attr<MpEntry, string>("wwid", "wwid", pStr, printStr),
  attr<MpEntry, string>("alias", "alias", pNoSlash, printStr),
  S.path_grouping_policy(),
  S.path_selector(),
  S.prio(),
  S.prio_args(),
  S.failback(),
  S.rr_weight(),
  S.no_path_retry(),
  S.rr_min_io(),
  S.rr_min_io_rq(),
  deprecated("pg_timeout"),
  S.flush_on_last_del(),
  S.features(),
  attrFlagKeyword<MpEntry>("mode"),
  attrFlagKeyword<MpEntry>("uid"),
  attrFlagKeyword<MpEntry>("gid"),
  reservationKeyKeyword<MpEntry>(),
  S.user_friendly_names(),
  S.deferred_remove(),
  ...noOrIntAttrs<MpEntry>(),
  S.skip_kpartx(),
  S.max_sectors_kb(),
  S.ghost_delay(),
];

/* ------------------------------------------------------------------------------------------------
 * blacklist / blacklist_exceptions
 */

/** `check_invert` + `regcomp`: a leading `!` inverts, a leading `\!` is a literal `!`. */
export function compileBlacklistRegex(str: string): BlacklistRegex | undefined {
  let invert = false;
  let re = str;
  if (str[0] === "!") {
    invert = true;
    re = str.slice(1);
  } else if (str[0] === "\\" && str[1] === "!") re = str.slice(1);
  const c = compileEre(re);
  return c.ok ? { str, invert, regex: c.regex } : undefined;
}

function blacklistKeywords(pick: (c: Config) => BlacklistRules): Keyword<ParseCtx>[] {
  const simple = (name: "devnode" | "wwid" | "property" | "protocol"): Keyword<ParseCtx> => ({
    name,
    unique: false,
    handler: (ctx, v) => {
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const re = compileBlacklistRegex(buf);
      if (re === undefined) return 1;
      const e: BlacklistEntry = { ...re, origin: "config" };
      pick(ctx.conf)[name].push(e);
      return 0;
    },
  });
  const part = (name: "vendor" | "product"): Keyword<ParseCtx> => ({
    name,
    unique: true,
    handler: (ctx, v) => {
      const last = pick(ctx.conf).device.at(-1);
      if (last === undefined) return 1;
      const buf = setValue(v);
      if (buf === undefined) return 1;
      const re = compileBlacklistRegex(buf);
      if (re === undefined) return 1;
      last[name] = re;
      last.origin = "config";
      return 0;
    },
  });
  return [
    simple("devnode"),
    simple("wwid"),
    simple("property"),
    simple("protocol"),
    {
      name: "device",
      unique: false,
      // A new rule starts as a "default" one until vendor or product sets it (as alloc_ble_device does).
      handler: (ctx) => {
        pick(ctx.conf).device.push({ origin: "default" } as BlacklistDeviceEntry);
        return 0;
      },
      sub: [part("vendor"), part("product")],
    },
  ];
}

/* ------------------------------------------------------------------------------------------------
 * The keyword tree the parser walks.
 */

/** A new, empty `struct mpentry`. */
export const newMpEntry = (): MpEntry => ({ attributeFlags: 0, uid: 0, gid: 0, mode: 0 });

function bind<T>(
  specs: readonly KeywordSpec<T>[],
  target: (ctx: ParseCtx) => T | undefined,
): Keyword<ParseCtx>[] {
  return specs.map((s) => {
    const kw: W<Keyword<ParseCtx>> = { name: s.name, unique: s.unique ?? true };
    const h = s.handle;
    if (h !== undefined)
      kw.handler = (ctx, v, at) => {
        const t = target(ctx);
        return t === undefined ? 1 : h(t, v, at, ctx);
      };
    return kw;
  });
}

/** The whole multipath.conf grammar (`init_keywords`). */
export const CONFIG_KEYWORDS: readonly Keyword<ParseCtx>[] = [
  { name: "defaults", unique: true, sub: bind(DEFAULTS_KEYWORDS, (ctx) => ctx.conf) },
  { name: "blacklist", unique: true, handler: () => 0, sub: blacklistKeywords((c) => c.blacklist) },
  {
    name: "blacklist_exceptions",
    unique: true,
    handler: () => 0,
    sub: blacklistKeywords((c) => c.exceptions),
  },
  {
    name: "devices",
    unique: true,
    handler: () => 0,
    sub: [
      {
        name: "device",
        unique: false,
        handler: (ctx) => {
          ctx.conf.hwtable.push({});
          return 0;
        },
        sub: bind(DEVICE_KEYWORDS, (ctx) => ctx.conf.hwtable.at(-1)),
      },
    ],
  },
  {
    name: "overrides",
    unique: true,
    handler: (ctx) => {
      (ctx.conf as W<Config>).overrides ??= { protocols: [] };
      return 0;
    },
    sub: [
      ...bind(OVERRIDES_KEYWORDS, (ctx) => ctx.conf.overrides),
      {
        name: "protocol",
        unique: false,
        handler: (ctx) => {
          const o = ctx.conf.overrides;
          if (o === undefined) return 1;
          o.protocols.push({});
          return 0;
        },
        sub: bind(PROTOCOL_KEYWORDS, (ctx) => ctx.conf.overrides?.protocols.at(-1)),
      },
    ],
  },
  {
    name: "multipaths",
    unique: true,
    handler: () => 0,
    sub: [
      {
        name: "multipath",
        unique: false,
        handler: (ctx) => {
          ctx.conf.mptable.push(newMpEntry());
          return 0;
        },
        sub: bind(MULTIPATH_KEYWORDS, (ctx) => ctx.conf.mptable.at(-1)),
      },
    ],
  },
];
