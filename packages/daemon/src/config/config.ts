/**
 * Loading the configuration as libmultipath's config.c does (`load_config`): built-in defaults
 * and hwtable, `/etc/multipath.conf`, then every `*.conf` of `/etc/multipath/conf.d`, the device
 * sections factorised after each file, the polling intervals filled in, the default blacklist
 * added, and duplicate multipaths / protocol / blacklist entries merged. Also `find_hwe` and
 * `find_mpe`.
 */
import type { FileStore } from "@mp/dm-core";
import { setupDefaultBlacklist } from "./blacklist.js";
import {
  CHECKINT_UNDEF,
  CONFIG_KEYWORDS,
  type ParseCtx,
  printNoPathRetry,
  UINT_MAX,
  type UserLookup,
  type WarnOnce,
} from "./dict.js";
import { BUILTIN_HWTABLE } from "./hwtable.js";
import { type ConfigDiagnostic, ConfigLog, type LogLevel, ToolCrash } from "./log.js";
import { processConfigText } from "./parser.js";
import { compileEre, ereTest } from "./regex.js";
import type {
  BlacklistRules,
  Config,
  HwEntry,
  MpEntry,
  NoPathRetryValue,
  Overrides,
  PcEntry,
} from "./structs.js";

/** `DEFAULT_CONFIGFILE`. */
export const DEFAULT_CONFIGFILE = "/etc/multipath.conf";
/** `CONFIG_DIR`. */
export const DEFAULT_CONFIG_DIR = "/etc/multipath/conf.d";
/** `/proc/sys/fs/nr_open` on Linux 6.1 (what `max_fds "max"` reads). */
export const DEFAULT_NR_OPEN = 1048576;

/** How to load a configuration. Only `files` is required. */
export interface LoadConfigOptions {
  /** Where `/etc/multipath.conf` and the conf.d directory are read from (`read` and `list` only). */
  readonly files: Pick<FileStore, "read" | "list">;
  readonly configFile?: string;
  readonly configDir?: string;
  /** The log verbosity in force while loading (`libmp_verbosity`); the `verbosity` keyword replaces it. */
  readonly verbosity?: number;
  /** `/proc/sys/fs/nr_open`; null when unreadable. */
  readonly nrOpen?: number | null;
  /** `getpwnam` for the `uid`/`gid` keywords; by default only `root` (0/0) exists. */
  readonly lookupUser?: UserLookup;
  /**
   * libmultipath's "warn once per process" memory (deprecated options). A daemon passes the same
   * object to every reload; by default each load starts fresh, like a new `multipath` process.
   */
  readonly once?: WarnOnce;
  /** The built-in hardware table (default: multipath-tools 0.9.4's 123 entries). */
  readonly builtinHwtable?: readonly HwEntry[];
}

/**
 * The result of a load: the configuration, or a refusal ("error parsing config file", when a
 * value could not be stored, e.g. a blacklist regex that does not compile). Either way the
 * messages the tool would have logged, in order.
 */
export type LoadConfigResult =
  | { readonly ok: true; readonly config: Config; readonly diagnostics: readonly ConfigDiagnostic[] }
  | {
      readonly ok: false;
      readonly diagnostics: readonly ConfigDiagnostic[];
      /**
       * Set where multipath-tools 0.9.4 crashes on this configuration (after logging
       * `diagnostics`): the tool dies of this signal (exit status 139 for SIGSEGV).
       */
      readonly fatal?: "SIGSEGV";
    };

const emptyRules = (): BlacklistRules => ({ devnode: [], wwid: [], property: [], protocol: [], device: [] });

/** The values `_init_config` starts from, before any file is read. */
export function initialConfig(opts: { verbosity?: number; nrOpen?: number | null } = {}): Config {
  const nrOpen = opts.nrOpen === undefined ? DEFAULT_NR_OPEN : opts.nrOpen;
  return {
    verbosity: opts.verbosity ?? 2,
    pollingInterval: CHECKINT_UNDEF,
    maxPollingInterval: 0,
    reassignMaps: false,
    uidAttrs: [],
    maxFds: nrOpen ?? 0,
    queueWithoutDaemon: "no",
    checkerTimeout: 0,
    allowUsbDevices: false,
    attributeFlags: 0,
    uid: 0,
    gid: 0,
    mode: 0,
    bindingsFile: "/etc/multipath/bindings",
    wwidsFile: "/etc/multipath/wwids",
    prkeysFile: "/etc/multipath/prkeys",
    logCheckerErr: "always",
    forceSync: false,
    strictTiming: false,
    findMultipaths: "strict",
    uxsockTimeout: 4000,
    retriggerTries: 3,
    retriggerDelay: 10,
    missingUevWaitTimeout: 30,
    removeRetries: 0,
    marginalPathgroups: "off",
    ghostDelay: "no",
    allTgPt: false,
    recheckWwid: false,
    hwtable: [],
    mptable: [],
    blacklist: emptyRules(),
    exceptions: emptyRules(),
  };
}

const defaultLookupUser: UserLookup = (name) => (name === "root" ? { uid: 0, gid: 0 } : undefined);

/** C's `printf("%s", NULL)`. */
const cs = (s: string | undefined): string => s ?? "(null)";

/**
 * Loads the configuration. Never throws on file contents: bad input gives diagnostics (and, where
 * multipath-tools refuses the file, `ok: false`).
 */
export function loadConfig(opts: LoadConfigOptions): LoadConfigResult {
  const log = new ConfigLog();
  try {
    return loadInto(opts, log);
  } catch (e) {
    if (e instanceof ToolCrash) return { ok: false, diagnostics: log.entries, fatal: e.signal };
    throw e;
  }
}

function loadInto(opts: LoadConfigOptions, log: ConfigLog): LoadConfigResult {
  const nrOpen = opts.nrOpen === undefined ? DEFAULT_NR_OPEN : opts.nrOpen;
  const initOpts: { verbosity?: number; nrOpen: number | null } = { nrOpen };
  if (opts.verbosity !== undefined) initOpts.verbosity = opts.verbosity;
  const conf = initialConfig(initOpts);
  conf.hwtable = (opts.builtinHwtable ?? BUILTIN_HWTABLE).map((h) => ({ ...h }));
  const ctx: ParseCtx = {
    conf,
    nrOpen: nrOpen ?? undefined,
    lookupUser: opts.lookupUser ?? defaultLookupUser,
    once: opts.once ?? { warned: new Set() },
  };
  const file = opts.configFile ?? DEFAULT_CONFIGFILE;
  const text = opts.files.read(file);
  if (text !== null) {
    const builtinSize = conf.hwtable.length;
    if (processConfigText(ctx, CONFIG_KEYWORDS, text, file, log) !== 0) {
      log.add(0, "config-error", "error parsing config file");
      return { ok: false, diagnostics: log.entries };
    }
    factorizeHwtable(conf.hwtable, builtinSize, file, log);
    validatePctable(conf.overrides, 0, file, log);
  }
  processConfigDir(ctx, opts.files, opts.configDir ?? DEFAULT_CONFIG_DIR, log);
  fillPollingIntervals(conf, log);
  // A product_blacklist that does not compile makes libmultipath give up without a message.
  if (!setupDefaultBlacklist(conf)) return { ok: false, diagnostics: log.entries };
  mergePctable(conf.overrides);
  mergeMptable(conf.mptable, log);
  for (const rules of [conf.blacklist, conf.exceptions]) {
    mergeBlacklist(rules.devnode, log);
    mergeBlacklist(rules.property, log);
    mergeBlacklist(rules.wwid, log);
    mergeBlacklistDevice(rules, log);
  }
  return { ok: true, config: conf, diagnostics: log.entries };
}

/**
 * Parses one configuration text on its own (no conf.d, no files): handy for tests and for tools
 * that take the text directly. Same result as {@link loadConfig} with that text as the main file.
 */
export function parseConfig(text: string, opts: Omit<LoadConfigOptions, "files"> = {}): LoadConfigResult {
  const file = opts.configFile ?? DEFAULT_CONFIGFILE;
  return loadConfig({
    ...opts,
    files: { read: (p) => (p === file ? text : null), list: () => null },
  });
}

function processConfigDir(
  ctx: ParseCtx,
  files: Pick<FileStore, "read" | "list">,
  dir: string,
  log: ConfigLog,
): void {
  if (dir[0] !== "/") {
    log.add(1, "config-dir", `config_dir '${dir}' must be a fully qualified path`);
    return;
  }
  const names = files.list(dir);
  if (names === null) {
    log.add(3, "config-dir", `No configuration dir '${dir}'`);
    return;
  }
  for (const name of [...names].sort(byteCompare)) {
    const dot = name.lastIndexOf(".");
    if (dot < 0 || name.slice(dot) !== ".conf") continue;
    const oldHw = ctx.conf.hwtable.length;
    const oldPc = ctx.conf.overrides?.protocols.length ?? 0;
    const path = `${dir}/${name}`;
    // A failure in a conf.d file is logged but does not refuse the configuration.
    processConfigText(ctx, CONFIG_KEYWORDS, files.read(path) ?? "", path, log);
    factorizeHwtable(ctx.conf.hwtable, oldHw, name, log);
    validatePctable(ctx.conf.overrides, oldPc, name, log);
  }
}

/** strcmp order (alphasort in the C locale). */
export const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The polling_interval / max_polling_interval fill-in (unsigned 32-bit arithmetic). */
function fillPollingIntervals(conf: Config, log: ConfigLog): void {
  if (conf.maxPollingInterval === 0) {
    if (conf.pollingInterval === CHECKINT_UNDEF) conf.pollingInterval = 5;
    conf.maxPollingInterval =
      conf.pollingInterval < Math.floor(UINT_MAX / 4) ? conf.pollingInterval * 4 : UINT_MAX;
  } else if (conf.pollingInterval === CHECKINT_UNDEF) {
    conf.pollingInterval = conf.maxPollingInterval >= 4 ? Math.floor(conf.maxPollingInterval / 4) : 1;
  } else if (conf.pollingInterval > conf.maxPollingInterval) {
    conf.pollingInterval = conf.maxPollingInterval;
  }
  log.add(3, "polling", `polling interval: ${conf.pollingInterval | 0}, max: ${conf.maxPollingInterval | 0}`);
}

/**
 * What the `multipath` tool changes after loading (multipath/main.c): it never retriggers uevents
 * and always syncs, so `multipath -t` prints `retrigger_tries 0` and `force_sync "yes"` where
 * `multipathd show config` prints the loaded 3 and "no". `-i` (ignore the wwids file) turns
 * find_multipaths on/strict into smart and off into greedy.
 */
export function multipathToolConfig(config: Config, opts: { readonly ignoreWwids?: boolean } = {}): Config {
  let findMultipaths = config.findMultipaths;
  if (opts.ignoreWwids === true) {
    if (findMultipaths === "on" || findMultipaths === "strict") findMultipaths = "smart";
    else if (findMultipaths === "off") findMultipaths = "greedy";
  }
  return { ...config, retriggerTries: 0, forceSync: true, findMultipaths };
}

/* ------------------------------------------------------------------------------------------------
 * hwtable factorisation and matching
 */

const strEq = (a: string | undefined, b: string | undefined): boolean => a === b;

/** `hwe_strmatch(...) == 0`: same vendor, product and revision strings (absent equals absent). */
export function hweSameStrings(a: HwEntry, b: HwEntry): boolean {
  return strEq(a.vendor, b.vendor) && strEq(a.product, b.product) && strEq(a.revision, b.revision);
}

const HW_STRING_FIELDS = [
  "vendor",
  "product",
  "revision",
  "uidAttribute",
  "features",
  "hardwareHandler",
  "pathSelector",
  "pathChecker",
  "prio",
  "prioArgs",
  "aliasPrefix",
  "productBlacklist",
] as const;

/** `merge_hwe`: `dst` keeps its settings and takes the ones it lacks from `src`. */
function mergeHwe(dst: HwEntry, src: HwEntry, log: ConfigLog): void {
  const d = dst as Record<string, unknown>;
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined || d[k] !== undefined) continue;
    if ((HW_STRING_FIELDS as readonly string[]).includes(k) && v === "") continue;
    d[k] = v;
  }
  const r = reconcileFeaturesWithOptions(`${cs(dst.vendor)}/${cs(dst.product)}`, dst, log);
  applyReconciled(dst, r);
}

/**
 * `factorize_hwtable`: user device sections (from index `n`) lacking vendor or product are dropped;
 * an entry with the same strings as a later one is merged into it and removed.
 */
export function factorizeHwtable(hw: HwEntry[], n: number, tableDesc: string, log: ConfigLog): void {
  restart: for (;;) {
    for (let i = 0; i < hw.length; i++) {
      const h1 = hw[i]!;
      if (i >= n && (h1.vendor === undefined || h1.product === undefined)) {
        log.add(0, "device-missing-id", `device config in ${tableDesc} missing vendor or product parameter`);
        hw.splice(i, 1);
        i--;
        continue;
      }
      for (let j = Math.max(n, i + 1); j < hw.length; j++) {
        const h2 = hw[j]!;
        if (!hweSameStrings(h2, h1)) continue;
        log.add(
          i >= n ? 1 : 3,
          "duplicate-device",
          `factorize_hwtable: duplicate device section for ${cs(h1.vendor)}:${cs(h1.product)}:${cs(h1.revision)} in ${tableDesc}`,
        );
        hw.splice(i, 1);
        mergeHwe(h2, h1, log);
        if (i < n) n -= 1;
        continue restart;
      }
    }
    return;
  }
}

/** A hwtable entry with its regexes compiled (`regcomp` once instead of per lookup). */
interface CompiledHwe {
  readonly hwe: HwEntry;
  /** null: a regex of this entry does not compile, so it never matches (as in `hwe_regmatch`). */
  readonly vendor: RegExp | undefined | null;
  readonly product: RegExp | undefined | null;
  readonly revision: RegExp | undefined | null;
}

const compileField = (s: string | undefined): RegExp | undefined | null => {
  if (s === undefined) return undefined;
  const c = compileEre(s);
  return c.ok ? c.regex : null;
};

/**
 * `find_hwe` over one hwtable, with the regexes compiled once. Create one per loaded
 * configuration (the table does not change afterwards).
 */
export class HwMatcher {
  private readonly compiled: readonly CompiledHwe[];

  constructor(readonly hwtable: readonly HwEntry[]) {
    this.compiled = hwtable.map((hwe) => ({
      hwe,
      vendor: compileField(hwe.vendor),
      product: compileField(hwe.product),
      revision: compileField(hwe.revision),
    }));
  }

  /**
   * Every entry matching the device, most recently defined first (so user entries come before the
   * built-in ones). A regex is an unanchored ERE; a missing regex or a missing device value matches.
   * The log (level 3/4 messages) is optional.
   */
  find(
    vendor: string | undefined,
    product: string | undefined,
    revision?: string,
    log?: ConfigLog,
  ): HwEntry[] {
    // A fabric has a few kinds of device and every path of a kind asks the same question (at
    // each pathinfo, each change uevent): the answer and its log lines depend on the three
    // strings alone, so each triple is matched once per table.
    const key = `${hwKeyPart(vendor)}${hwKeyPart(product)}${hwKeyPart(revision)}`;
    let m = this.#memo.get(key);
    if (m === undefined) {
      const lines = new ConfigLog();
      m = { out: this.#match(vendor, product, revision, lines), lines: lines.entries.slice() };
      if (this.#memo.size >= HW_MATCH_MEMO_MAX) this.#memo.clear();
      this.#memo.set(key, m);
    }
    if (log) for (const d of m.lines) log.add(d.level, d.code, d.message);
    return m.out.slice();
  }

  readonly #memo = new Map<
    string,
    { readonly out: readonly HwEntry[]; readonly lines: readonly ConfigDiagnostic[] }
  >();

  #match(
    vendor: string | undefined,
    product: string | undefined,
    revision: string | undefined,
    log: ConfigLog,
  ): HwEntry[] {
    const out: HwEntry[] = [];
    if (vendor === undefined && product === undefined && revision === undefined) {
      log.add(
        4,
        "find-hwe",
        `find_hwe: found 0 hwtable matches for ${cs(vendor)}:${cs(product)}:${cs(revision)}`,
      );
      return out;
    }
    const ok = (re: RegExp | undefined | null, v: string | undefined): boolean =>
      re === undefined || v === undefined || (re !== null && ereTest(re, v));
    for (let i = this.compiled.length - 1; i >= 0; i--) {
      const c = this.compiled[i]!;
      if (c.vendor === null || c.product === null || c.revision === null) continue;
      if (ok(c.vendor, vendor) && ok(c.product, product) && ok(c.revision, revision)) {
        out.push(c.hwe);
        log.add(
          4,
          "find-hwe",
          `find_hwe: found match /${cs(c.hwe.vendor)}:${cs(c.hwe.product)}:${cs(c.hwe.revision)}/ for '${cs(vendor)}:${cs(product)}:${cs(revision)}'`,
        );
      }
    }
    log.add(
      out.length > 1 ? 3 : 4,
      "find-hwe",
      `find_hwe: found ${out.length} hwtable matches for ${cs(vendor)}:${cs(product)}:${cs(revision)}`,
    );
    return out;
  }
}

/** One field of a memo key: length-prefixed, so no two triples share a key. */
function hwKeyPart(s: string | undefined): string {
  return s === undefined ? "-" : `${s.length}:${s}`;
}

/** Triples {@link HwMatcher} remembers at most (then forgets all at once). */
const HW_MATCH_MEMO_MAX = 4096;

/** `find_hwe` without a cached matcher (compiles the table's regexes on every call). */
export function findHwe(
  hwtable: readonly HwEntry[],
  vendor: string | undefined,
  product: string | undefined,
  revision?: string,
): HwEntry[] {
  return new HwMatcher(hwtable).find(vendor, product, revision);
}

/** `find_mpe`: the multipaths entry for a WWID. */
export function findMpe(config: Pick<Config, "mptable">, wwid: string | undefined): MpEntry | undefined {
  if (wwid === undefined || wwid === "") return undefined;
  return config.mptable.find((m) => m.wwid === wwid);
}

/** `get_mpe_wwid`: the WWID a multipaths entry gives an alias. */
export function getMpeWwid(config: Pick<Config, "mptable">, alias: string | undefined): string | undefined {
  if (alias === undefined) return undefined;
  return config.mptable.find((m) => m.alias === alias)?.wwid;
}

/**
 * `get_used_hwes`: the hwtable entries used by a set of paths (each path's matches, last first,
 * without repeats), for `show config local` and `multipath -T`.
 */
export function usedHwEntries(pathHwes: Iterable<readonly HwEntry[]>): HwEntry[] {
  const out: HwEntry[] = [];
  for (const hwes of pathHwes) {
    for (let j = hwes.length - 1; j >= 0; j--) {
      const h = hwes[j]!;
      if (!out.includes(h)) out.push(h);
    }
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------
 * features / no_path_retry reconciliation (shared with propsel)
 */

/** The result of {@link reconcileFeaturesWithOptions}: the adjusted values. */
export interface Reconciled {
  readonly features: string | undefined;
  readonly noPathRetry: NoPathRetryValue | undefined;
  readonly retainAttachedHwHandler: boolean | undefined;
}

/**
 * `reconcile_features_with_options`: the deprecated `queue_if_no_path` feature becomes
 * `no_path_retry queue` (unless no_path_retry is set), `retain_attached_hw_handler` becomes the
 * option; both are removed from the features string. `id` names the map or device in the messages.
 */
export function reconcileFeaturesWithOptions(
  id: string | undefined,
  v: {
    readonly features?: string | undefined;
    readonly noPathRetry?: NoPathRetryValue | undefined;
    readonly retainAttachedHwHandler?: boolean | undefined;
  },
  log: ConfigLog,
): Reconciled {
  let features = v.features;
  let noPathRetry = v.noPathRetry;
  let retain = v.retainAttachedHwHandler;
  if (features === undefined) return { features, noPathRetry, retainAttachedHwHandler: retain };
  const name = id ?? "UNKNOWN";
  const qinp = "queue_if_no_path";
  const rahh = "retain_attached_hw_handler";
  if (features.includes(qinp)) {
    log.add(
      0,
      "deprecated-feature",
      `${name}: option 'features "1 ${qinp}"' is deprecated, please use 'no_path_retry queue' instead`,
    );
    if (noPathRetry === undefined) {
      noPathRetry = "queue";
      log.add(
        3,
        "deprecated-feature",
        `${name}: no_path_retry = "queue" (inherited setting from feature '${qinp}')`,
      );
    }
    if (noPathRetry !== "queue")
      log.add(
        2,
        "deprecated-feature",
        `${name}: ignoring feature '${qinp}' because no_path_retry is set to '${printNoPathRetry(noPathRetry)}'`,
      );
    features = removeFeature(features, qinp, log);
  }
  if (features.includes(rahh)) {
    log.add(0, "deprecated-feature", `${name}: option 'features "1 ${rahh}"' is deprecated`);
    if (retain === undefined) {
      log.add(3, "deprecated-feature", `${name}: ${rahh} = on (inherited setting from feature '${rahh}')`);
      retain = true;
    } else if (retain === false)
      log.add(2, "deprecated-feature", `${name}: ignoring feature '${rahh}' because ${rahh} is set to 'off'`);
    features = removeFeature(features, rahh, log);
  }
  return { features, noPathRetry, retainAttachedHwHandler: retain };
}

function applyReconciled(dst: HwEntry, r: Reconciled): void {
  const d = dst as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined) delete d[k];
    else d[k] = v;
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";

/** `remove_feature`: drops one feature word (and its count) from a dm features string. */
export function removeFeature(features: string, old: string, log?: ConfigLog): string {
  if (old === "") return features;
  let ptr = features.indexOf(old, 1);
  while (ptr >= 0) {
    const after = features[ptr + old.length];
    if (isSpace(features[ptr - 1]) && (after === undefined || isSpace(after))) break;
    ptr = features.indexOf(old, ptr + old.length);
  }
  if (ptr < 0) return features;
  const m = /^\s*[+-]?\d+/.exec(features);
  const featsStart = m === null ? 0 : m[0].length;
  if (featsStart === 0 || !isSpace(features[featsStart])) {
    log?.add(0, "feature-parse", `parse error in feature string "${features}"`);
    return features;
  }
  let count = Number.parseInt(features.slice(0, featsStart), 10) - 1;
  for (let i = 0; i < old.length; i++) {
    if (isSpace(old[i]) && !isSpace(old[i + 1]) && old[i + 1] !== undefined) count--;
  }
  if (count === 0) return "0";
  let out = String(count) + features.slice(featsStart, ptr);
  let rest = ptr + old.length;
  while (isSpace(features[rest])) rest++;
  if (rest < features.length) out += features.slice(rest);
  else out = out.replace(/\s+$/, "");
  return out;
}

/**
 * `add_feature`: adds a feature word to a dm features string (count updated), unless present.
 * Returns undefined where libmultipath refuses (a string that does not start with a count).
 */
export function addFeature(features: string | undefined, feat: string, log?: ConfigLog): string | undefined {
  if (feat === "") return features;
  let newCount = 1;
  for (let i = 0; i < feat.length; i++) {
    if (isSpace(feat[i]) && !isSpace(feat[i + 1]) && feat[i + 1] !== undefined) newCount++;
  }
  if (features === undefined) return `${newCount} ${feat}`;
  let p = features.indexOf(feat);
  while (p >= 0) {
    const after = features[p + feat.length];
    if (isSpace(features[p - 1]) && (after === undefined || isSpace(after))) return features;
    p = features.indexOf(feat, p + feat.length);
  }
  const m = /^\s*[+-]?\d+/.exec(features);
  const end = m === null ? 0 : m[0].length;
  if (end === 0 || (!isSpace(features[end]) && end < features.length)) {
    log?.add(0, "feature-parse", `parse error in feature string "${features}"`);
    return undefined;
  }
  const count = Number.parseInt(features.slice(0, end), 10) + newCount;
  return `${count}${features.slice(end)} ${feat}`;
}

/* ------------------------------------------------------------------------------------------------
 * protocol sections, multipaths, blacklist merging
 */

/** `validate_pctable`: protocol sections (from index `idx`) without a valid type are dropped. */
function validatePctable(ovr: Overrides | undefined, idx: number, tableDesc: string, log: ConfigLog): void {
  if (ovr === undefined) return;
  for (let i = idx; i < ovr.protocols.length; i++) {
    if (ovr.protocols[i]!.type === undefined) {
      log.add(0, "protocol-missing-type", `protocol section in ${tableDesc} missing type`);
      ovr.protocols.splice(i, 1);
      i--;
    }
  }
}

/** `merge_pctable`: a protocol section is merged into a later one of the same type. */
function mergePctable(ovr: Overrides | undefined): void {
  if (ovr === undefined) return;
  const pcs = ovr.protocols;
  for (let i = 0; i < pcs.length; i++) {
    const p1 = pcs[i]!;
    for (let j = i + 1; j < pcs.length; j++) {
      const p2: PcEntry = pcs[j]!;
      if (p1.type !== p2.type) continue;
      if (p2.fastIoFailTmo === undefined && p1.fastIoFailTmo !== undefined)
        p2.fastIoFailTmo = p1.fastIoFailTmo;
      if (p2.devLossTmo === undefined && p1.devLossTmo !== undefined) p2.devLossTmo = p1.devLossTmo;
      if (p2.ehDeadline === undefined && p1.ehDeadline !== undefined) p2.ehDeadline = p1.ehDeadline;
      pcs.splice(i, 1);
      i--;
      break;
    }
  }
}

const MP_STRING_FIELDS = ["alias", "pathSelector", "features", "prio", "prioArgs"] as const;

/** `merge_mpe`: `dst` keeps its settings and takes the ones it lacks from `src`. */
function mergeMpe(dst: MpEntry, src: MpEntry): void {
  const d = dst as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(src)) {
    if (k === "wwid" || v === undefined) continue;
    if ((MP_STRING_FIELDS as readonly string[]).includes(k) && v === "") continue;
    if (k === "attributeFlags" || k === "uid" || k === "gid" || k === "mode") {
      // merge_num: a 0 counts as unset for these as well.
      if (!d[k] && v) d[k] = v;
      continue;
    }
    if (d[k] === undefined) d[k] = v;
  }
}

/** `merge_mptable`: entries without wwid dropped, the table sorted by WWID, duplicates merged. */
function mergeMptable(mptable: MpEntry[], log: ConfigLog): void {
  for (let i = 0; i < mptable.length; i++) {
    if (mptable[i]!.wwid === undefined) {
      log.add(0, "multipath-missing-wwid", "multipaths config section missing wwid");
      mptable.splice(i, 1);
      i--;
    }
  }
  // glibc's qsort is a stable merge sort for tables this size.
  mptable.sort((a, b) => byteCompare(a.wwid!, b.wwid!));
  for (let i = 0; i < mptable.length - 1; i++) {
    const m1 = mptable[i]!;
    const m2 = mptable[i + 1]!;
    if (m1.wwid !== m2.wwid) continue;
    log.add(1, "duplicate-multipath", `merge_mptable: duplicate multipath config section for ${m1.wwid}`);
    mergeMpe(m2, m1);
    mptable.splice(i, 1);
    i--;
  }
}

function mergeBlacklist(list: { str: string }[], log: ConfigLog): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (list[i]!.str !== list[j]!.str) continue;
      log.add(3, "duplicate-blacklist", `merge_blacklist: duplicate blist entry section for ${list[i]!.str}`);
      list.splice(j, 1);
      j--;
    }
  }
}

function mergeBlacklistDevice(rules: BlacklistRules, log: ConfigLog): void {
  const list = rules.device;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.vendor === undefined && list[i]!.product === undefined) {
      list.splice(i, 1);
      i--;
    }
  }
  for (let i = 0; i < list.length; i++) {
    const b1 = list[i]!;
    for (let j = i + 1; j < list.length; j++) {
      const b2 = list[j]!;
      if (b1.vendor?.str !== b2.vendor?.str || b1.product?.str !== b2.product?.str) continue;
      log.add(
        3,
        "duplicate-blacklist",
        `merge_blacklist_device: duplicate blist entry section for ${cs(b1.vendor?.str)}:${cs(b1.product?.str)}`,
      );
      list.splice(j, 1);
      j--;
    }
  }
}

/** Diagnostics at or below a verbosity. */
export const visibleDiagnostics = (d: readonly ConfigDiagnostic[], verbosity: LogLevel | number = 2) =>
  d.filter((x) => x.level <= verbosity);
