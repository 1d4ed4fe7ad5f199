/**
 * The configuration printers of libmultipath's print.c: the full dump (`multipath -t`,
 * `multipath -T`, `multipathd show config [local]`), `show blacklist` and `show devices`.
 */
import { filterDevnode, isBlacklisted } from "./blacklist.js";
import { byteCompare, DEFAULT_NR_OPEN } from "./config.js";
import {
  DEFAULTS_KEYWORDS,
  DEVICE_KEYWORDS,
  type KeywordSpec,
  MULTIPATH_KEYWORDS,
  OVERRIDES_KEYWORDS,
  PROTOCOL_KEYWORDS,
  type PrintCtx,
  quote,
} from "./dict.js";
import type { BlacklistDeviceEntry, BlacklistEntry, BlacklistRules, Config, HwEntry } from "./structs.js";

/** A multipath map known to the daemon, as `show config local` / `multipath -T` list them. */
export interface ConfigMapRef {
  readonly wwid: string;
  /** The map name (equals the WWID when the map has no alias). */
  readonly alias: string;
}

export interface PrintConfigOptions {
  /** Print these device entries instead of the whole hwtable (the entries in use, for `local`). */
  readonly hwtable?: readonly HwEntry[];
  /** The current maps (`mpvec`): multipaths entries are limited to them and the others added. */
  readonly maps?: readonly ConfigMapRef[];
  /** `/proc/sys/fs/nr_open` for `max_fds "max"`; null when unreadable. */
  readonly nrOpen?: number | null;
}

function keywordLines<T>(specs: readonly KeywordSpec<T>[], target: T, indent: string, ctx: PrintCtx): string {
  let out = "";
  for (const s of specs) {
    if (s.print === undefined) continue;
    const v = s.print(target, ctx);
    if (v !== null) out += `${indent}${s.name} ${v}\n`;
  }
  return out;
}

function printBlacklistSection(title: string, rules: BlacklistRules): string {
  let out = `${title} {\n`;
  const simple = (name: string, list: readonly BlacklistEntry[]) => {
    for (const e of list) out += `\t${name} ${quote(e.str)}\n`;
  };
  simple("devnode", rules.devnode);
  simple("wwid", rules.wwid);
  simple("property", rules.property);
  simple("protocol", rules.protocol);
  for (const d of rules.device) {
    // Like snprint_keyword, a part without value suppresses its whole format, braces included.
    if (d.vendor !== undefined) out += `\tdevice {\n\t\tvendor ${quote(d.vendor.str)}\n`;
    if (d.product !== undefined) out += `\t\tproduct ${quote(d.product.str)}\n\t}\n`;
  }
  return `${out}}\n`;
}

/**
 * `snprint_config`: the whole configuration in multipath.conf syntax, as `multipath -t` and
 * `multipathd show config` print it. With `hwtable` and `maps` it is `show config local` /
 * `multipath -T`.
 */
export function printConfig(config: Config, opts: PrintConfigOptions = {}): string {
  const ctx: PrintCtx = { nrOpen: opts.nrOpen === undefined ? DEFAULT_NR_OPEN : (opts.nrOpen ?? undefined) };
  let out = `defaults {\n${keywordLines(DEFAULTS_KEYWORDS, config, "\t", ctx)}}\n`;
  out += printBlacklistSection("blacklist", config.blacklist);
  out += printBlacklistSection("blacklist_exceptions", config.exceptions);
  out += "devices {\n";
  for (const hwe of opts.hwtable ?? config.hwtable)
    out += `\tdevice {\n${keywordLines(DEVICE_KEYWORDS, hwe, "\t\t", ctx)}\t}\n`;
  out += "}\n";
  out += "overrides {\n";
  const ovr = config.overrides;
  if (ovr !== undefined) {
    out += keywordLines(OVERRIDES_KEYWORDS, ovr, "\t", ctx);
    for (const pce of ovr.protocols)
      out += `\tprotocol {\n${keywordLines(PROTOCOL_KEYWORDS, pce, "\t\t", ctx)}\t}\n`;
  }
  out += "}\n";
  const maps = opts.maps;
  if (config.mptable.length > 0 || (maps !== undefined && maps.length > 0)) {
    out += "multipaths {\n";
    for (const mpe of config.mptable) {
      const mpp = maps?.find((m) => m.wwid === mpe.wwid);
      if (maps !== undefined && mpp === undefined) continue;
      out += `\tmultipath {\n${keywordLines(MULTIPATH_KEYWORDS, mpe, "\t\t", ctx)}`;
      if (mpp !== undefined && mpp.alias !== mpp.wwid) out += `\t\t# alias "${mpp.alias}"\n`;
      out += "\t}\n";
    }
    for (const mpp of maps ?? []) {
      if (config.mptable.some((m) => m.wwid === mpp.wwid)) continue;
      out += `\tmultipath {\n\t\twwid "${mpp.wwid}"\n`;
      if (mpp.alias !== mpp.wwid) out += `\t\t# alias "${mpp.alias}"\n`;
      out += "\t}\n";
    }
    out += "}\n";
  }
  return out;
}

function reportGroup(list: readonly BlacklistEntry[]): string {
  if (list.length === 0) return "        <empty>\n";
  return list
    .map((e) => `        ${e.origin === "config" ? "(config file rule)" : "(default rule)    "} ${e.str}\n`)
    .join("");
}

function reportDeviceGroup(list: readonly BlacklistDeviceEntry[]): string {
  if (list.length === 0) return "        <empty>\n";
  return list
    .map(
      (e) =>
        `        ${e.origin === "config" ? "(config file rule)" : "(default rule)    "} ${e.vendor?.str ?? "(null)"}:${e.product?.str ?? "(null)"}\n`,
    )
    .join("");
}

/** `snprint_blacklist_report`: `multipathd show blacklist`. */
export function printBlacklistReport(config: Pick<Config, "blacklist" | "exceptions">): string {
  const b = config.blacklist;
  const e = config.exceptions;
  return (
    `device node rules:\n- blacklist:\n${reportGroup(b.devnode)}- exceptions:\n${reportGroup(e.devnode)}` +
    `udev property rules:\n- blacklist:\n${reportGroup(b.property)}- exceptions:\n${reportGroup(e.property)}` +
    `protocol rules:\n- blacklist:\n${reportGroup(b.protocol)}- exceptions:\n${reportGroup(e.protocol)}` +
    `wwid rules:\n- blacklist:\n${reportGroup(b.wwid)}- exceptions:\n${reportGroup(e.wwid)}` +
    `device rules:\n- blacklist:\n${reportDeviceGroup(b.device)}- exceptions:\n${reportDeviceGroup(e.device)}`
  );
}

/** A block device as `show devices` sees it (from the udev database and the daemon's path list). */
export interface BlockDeviceEntry {
  /** `/sys/devices/...`: udev enumerates in syspath order. */
  readonly syspath: string;
  /** Kernel name, e.g. `sda`, `dm-0`, `sda1`. */
  readonly sysname: string;
  /** The daemon has this device in its path list. */
  readonly monitored: boolean;
  /** sysfs `hidden` reads `1`. */
  readonly hidden?: boolean;
  /** A foreign library (native NVMe) claims it. */
  readonly foreign?: boolean;
}

/** `snprint_devices`: `multipathd show devices`. */
export function printDevices(
  config: Pick<Config, "blacklist" | "exceptions">,
  devices: readonly BlockDeviceEntry[],
): string {
  let out = "available block devices:\n";
  for (const d of [...devices].sort((a, b) => byteCompare(a.syspath, b.syspath))) {
    let status: string;
    if (d.monitored) status = " devnode whitelisted, monitored";
    else if (d.hidden === true) status = "hidden, unmonitored";
    else if (d.foreign === true) status = "foreign, monitored";
    else
      status = isBlacklisted(filterDevnode(config, d.sysname))
        ? "devnode blacklisted, unmonitored"
        : "devnode whitelisted, unmonitored";
    out += `    ${d.sysname} ${status}\n`;
  }
  return out;
}
