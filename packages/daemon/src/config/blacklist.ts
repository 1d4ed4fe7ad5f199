/**
 * Blacklists as libmultipath's blacklist.c applies them: per kind (device node, WWID, vendor/
 * product, udev property, protocol) the exceptions are tried first, then the blacklist; a leading
 * `!` inverts a rule. Results use the tool's MATCH_* codes (> 0 blacklisted, < 0 whitelisted) and
 * the log lines are the tool's.
 */
import { compileBlacklistRegex } from "./dict.js";
import type { ConfigLog, LogLevel } from "./log.js";
import { ereTest } from "./regex.js";
import type {
  BlacklistDeviceEntry,
  BlacklistEntry,
  BlacklistRegex,
  BlacklistRules,
  Config,
} from "./structs.js";

/** libmultipath's MATCH_* codes. */
export const Match = {
  NOTHING: 0,
  WWID_BLIST: 1,
  DEVICE_BLIST: 2,
  DEVNODE_BLIST: 3,
  PROPERTY_BLIST: 4,
  PROPERTY_BLIST_MISSING: 5,
  PROTOCOL_BLIST: 6,
  WWID_BLIST_EXCEPT: -1,
  DEVICE_BLIST_EXCEPT: -2,
  DEVNODE_BLIST_EXCEPT: -3,
  PROPERTY_BLIST_EXCEPT: -4,
  PROTOCOL_BLIST_EXCEPT: -6,
} as const;
export type MatchResult = (typeof Match)[keyof typeof Match];

/** True for the results that exclude a device (MATCH_* > 0). */
export const isBlacklisted = (r: MatchResult): boolean => r > 0;

/** The default device-node blacklist (without native NVMe multipath). */
export const DEFAULT_DEVNODE_BLACKLIST = "!^(sd[a-z]|dasd[a-z]|nvme[0-9])";
/** The default property exception. */
export const DEFAULT_PROPERTY_EXCEPTION = "(SCSI_IDENT_|ID_WWN)";

const regexMatches = (r: BlacklistRegex, s: string): boolean => ereTest(r.regex, s) !== r.invert;

/** `match_reglist`. */
function matchReglist(list: readonly BlacklistEntry[], s: string): boolean {
  return list.some((e) => regexMatches(e, s));
}

/** `match_reglist_device`: a rule matches when each part it has matches. */
function matchReglistDevice(list: readonly BlacklistDeviceEntry[], vendor: string, product: string): boolean {
  return list.some(
    (e) =>
      (e.vendor !== undefined || e.product !== undefined) &&
      (e.vendor === undefined || regexMatches(e.vendor, vendor)) &&
      (e.product === undefined || regexMatches(e.product, product)),
  );
}

/** `setup_default_blist`: appends the default rules. False when a `product_blacklist` does not compile. */
export function setupDefaultBlacklist(conf: Config): boolean {
  const dn = compileBlacklistRegex(DEFAULT_DEVNODE_BLACKLIST)!;
  conf.blacklist.devnode.push({ ...dn, origin: "default" });
  const pe = compileBlacklistRegex(DEFAULT_PROPERTY_EXCEPTION)!;
  conf.exceptions.property.push({ ...pe, origin: "default" });
  for (const hwe of conf.hwtable) {
    if (hwe.productBlacklist === undefined) continue;
    const exists = conf.blacklist.device.some(
      (b) => b.vendor?.str === hwe.vendor && b.product?.str === hwe.productBlacklist,
    );
    if (exists) continue;
    const e: BlacklistDeviceEntry = { origin: "default" };
    if (hwe.vendor !== undefined) {
      const v = compileBlacklistRegex(hwe.vendor);
      if (v === undefined) return false;
      e.vendor = v;
    }
    const p = compileBlacklistRegex(hwe.productBlacklist);
    if (p === undefined) return false;
    e.product = p;
    conf.blacklist.device.push(e);
  }
  return true;
}

/** Names shown in the log line for a filter decision. */
interface LogSubject {
  readonly dev: string | undefined;
  readonly vendor?: string | undefined;
  readonly product?: string | undefined;
  readonly wwid?: string | undefined;
  readonly env?: string | undefined;
  readonly protocol?: string | undefined;
}

const cs = (s: string | undefined): string => s ?? "(null)";

/** The `log_filter` line for a result, or undefined for MATCH_NOTHING. */
export function filterMessage(s: LogSubject, r: MatchResult): string | undefined {
  let m: string;
  let st: string;
  switch (r) {
    case Match.NOTHING:
      return undefined;
    case Match.DEVICE_BLIST:
      [m, st] = ["vendor/product", "blacklisted"];
      break;
    case Match.WWID_BLIST:
      [m, st] = ["wwid", "blacklisted"];
      break;
    case Match.DEVNODE_BLIST:
      [m, st] = ["device node name", "blacklisted"];
      break;
    case Match.PROPERTY_BLIST:
      [m, st] = ["udev property", "blacklisted"];
      break;
    case Match.PROTOCOL_BLIST:
      [m, st] = ["protocol", "blacklisted"];
      break;
    case Match.DEVICE_BLIST_EXCEPT:
      [m, st] = ["vendor/product", "whitelisted"];
      break;
    case Match.WWID_BLIST_EXCEPT:
      [m, st] = ["wwid", "whitelisted"];
      break;
    case Match.DEVNODE_BLIST_EXCEPT:
      [m, st] = ["device node name", "whitelisted"];
      break;
    case Match.PROPERTY_BLIST_EXCEPT:
      [m, st] = ["udev property", "whitelisted"];
      break;
    case Match.PROPERTY_BLIST_MISSING:
      [m, st] = ["blacklisted,", "udev property missing"];
      break;
    case Match.PROTOCOL_BLIST_EXCEPT:
      [m, st] = ["protocol", "whitelisted"];
      break;
    default: {
      const never: never = r;
      return never;
    }
  }
  if (s.vendor !== undefined && s.product !== undefined)
    return `${cs(s.dev)}: (${s.vendor}:${s.product}) ${m} ${st}`;
  if (s.wwid !== undefined && s.dev === undefined) return `${s.wwid}: ${m} ${st}`;
  if (s.wwid !== undefined) return `${s.dev}: ${m} ${s.wwid} ${st}`;
  if (s.env !== undefined) return `${cs(s.dev)}: ${m} ${s.env} ${st}`;
  if (s.protocol !== undefined) return `${cs(s.dev)}: ${m} ${s.protocol} ${st}`;
  return `${cs(s.dev)}: ${m} ${st}`;
}

function logFilter(log: ConfigLog | undefined, s: LogSubject, r: MatchResult, level: LogLevel): void {
  if (log === undefined) return;
  const msg = filterMessage(s, r);
  if (msg !== undefined) log.add(level, "blacklist", msg);
}

type Rules = Pick<Config, "blacklist" | "exceptions">;

/** `filter_devnode`: a kernel device name (`sda`, `dm-0`). */
export function filterDevnode(conf: Rules, dev: string | undefined, log?: ConfigLog): MatchResult {
  let r: MatchResult = Match.NOTHING;
  if (dev !== undefined) {
    if (matchReglist(conf.exceptions.devnode, dev)) r = Match.DEVNODE_BLIST_EXCEPT;
    else if (matchReglist(conf.blacklist.devnode, dev)) r = Match.DEVNODE_BLIST;
  }
  logFilter(log, { dev }, r, 3);
  return r;
}

/** `filter_wwid`. `dev` may be absent (the message then names the WWID only). */
export function filterWwid(
  conf: Rules,
  wwid: string | undefined,
  dev: string | undefined,
  log?: ConfigLog,
): MatchResult {
  let r: MatchResult = Match.NOTHING;
  if (wwid !== undefined) {
    if (matchReglist(conf.exceptions.wwid, wwid)) r = Match.WWID_BLIST_EXCEPT;
    else if (matchReglist(conf.blacklist.wwid, wwid)) r = Match.WWID_BLIST;
  }
  logFilter(log, { dev, wwid }, r, 3);
  return r;
}

/** `filter_device`: SCSI vendor and product (both needed for a decision). */
export function filterDevice(
  conf: Rules,
  vendor: string | undefined,
  product: string | undefined,
  dev: string | undefined,
  log?: ConfigLog,
): MatchResult {
  let r: MatchResult = Match.NOTHING;
  if (vendor !== undefined && product !== undefined) {
    if (matchReglistDevice(conf.exceptions.device, vendor, product)) r = Match.DEVICE_BLIST_EXCEPT;
    else if (matchReglistDevice(conf.blacklist.device, vendor, product)) r = Match.DEVICE_BLIST;
  }
  logFilter(log, { dev, vendor, product }, r, 3);
  return r;
}

/** `filter_protocol`: the path's protocol as `%P` prints it (`scsi:fcp`, `nvme:tcp`, `undef`...). */
export function filterProtocol(
  conf: Rules,
  protocol: string,
  dev: string | undefined,
  log?: ConfigLog,
): MatchResult {
  let r: MatchResult = Match.NOTHING;
  if (matchReglist(conf.exceptions.protocol, protocol)) r = Match.PROTOCOL_BLIST_EXCEPT;
  else if (matchReglist(conf.blacklist.protocol, protocol)) r = Match.PROTOCOL_BLIST;
  logFilter(log, { dev, protocol }, r, 3);
  return r;
}

/**
 * `filter_property`: the udev property names of a device, in database order. The first name
 * matching an exception whitelists, else the first matching a blacklist rule blacklists; when the
 * device has its `uidAttribute` property but nothing matched an exception, it is blacklisted
 * ("udev property missing"). `properties` undefined means no udev device (nothing decided).
 */
export function filterProperty(
  conf: Rules,
  dev: string | undefined,
  properties: Iterable<string> | undefined,
  uidAttribute: string | undefined,
  level: LogLevel = 3,
  log?: ConfigLog,
): MatchResult {
  let r: MatchResult = Match.NOTHING;
  let env: string | undefined;
  if (properties !== undefined) {
    const checkMissing = uidAttribute !== undefined && uidAttribute !== "";
    let uidSeen = false;
    r = Match.PROPERTY_BLIST_MISSING;
    for (const name of properties) {
      env = name;
      if (checkMissing && name === uidAttribute) uidSeen = true;
      if (matchReglist(conf.exceptions.property, name)) {
        r = Match.PROPERTY_BLIST_EXCEPT;
        break;
      }
      if (matchReglist(conf.blacklist.property, name)) {
        r = Match.PROPERTY_BLIST;
        break;
      }
      env = undefined;
    }
    if (r === Match.PROPERTY_BLIST_MISSING && (!checkMissing || !uidSeen)) r = Match.NOTHING;
  }
  logFilter(log, { dev, env }, r, level);
  return r;
}

/** What `filter_path` looks at. */
export interface PathIdentity {
  /** Kernel name, e.g. `sda`. */
  readonly dev: string;
  /** udev property names in database order, or undefined when the path has no udev device. */
  readonly properties: Iterable<string> | undefined;
  /** The path's selected uid_attribute (see `selectGetuid`). */
  readonly uidAttribute: string | undefined;
  readonly vendor: string | undefined;
  readonly product: string | undefined;
  /** As `%P` prints it. */
  readonly protocol: string;
  readonly wwid: string | undefined;
}

/** `filter_path`: property, then devnode, device, protocol and WWID; the first blacklisting result wins. */
export function filterPath(conf: Rules, p: PathIdentity, log?: ConfigLog): MatchResult {
  let r = filterProperty(conf, p.dev, p.properties, p.uidAttribute, 3, log);
  if (r > 0) return r;
  r = filterDevnode(conf, p.dev, log);
  if (r > 0) return r;
  r = filterDevice(conf, p.vendor, p.product, p.dev, log);
  if (r > 0) return r;
  r = filterProtocol(conf, p.protocol, p.dev, log);
  if (r > 0) return r;
  return filterWwid(conf, p.wwid, p.dev, log);
}

/** All the rules of a configuration (for reports). */
export type { BlacklistRules };
