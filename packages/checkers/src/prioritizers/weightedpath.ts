import type { Host } from "@mp/dm-core";
import type { CondLog } from "../log.js";
import { definePrioritizer, type PrioPath, type Prioritizer, SCSI_PROTOCOL_FCP } from "../prio.js";
import { atoi, nextString } from "../scanf.js";
import { sysfsAttr } from "../sysfs-attr.js";

const DEFAULT_PRIORITY = 0;

/** `snprint_host_attr`: an FC host attribute, `[undef]` off FC, `[unknown]` when missing. */
function hostAttr(host: Host, pp: PrioPath, attr: string, log: CondLog): string {
  if (pp.bus !== "scsi" || pp.sgId.protoId !== SCSI_PROTOCOL_FCP) return "[undef]";
  const id = `host${pp.sgId.hostNo}`;
  const v = sysfsAttr(host, `/sys/class/fc_host/${id}/${attr}`);
  if (v === null) {
    if (host.sysfs.list(`/sys/class/fc_host/${id}`) === null)
      log(1, `${pp.dev}: No fc_host device for '${id}'`);
    return "[unknown]";
  }
  return v;
}

/** `snprint_tgt_wwpn`: the FC remote port's `port_name`. */
function tgtWwpn(host: Host, pp: PrioPath, log: CondLog): string {
  if (pp.bus !== "scsi" || pp.sgId.protoId !== SCSI_PROTOCOL_FCP) return "[undef]";
  const id = `rport-${pp.sgId.hostNo}:${pp.sgId.channel}-${pp.sgId.transportId}`;
  const v = sysfsAttr(host, `/sys/class/fc_remote_ports/${id}/port_name`);
  if (v === null) {
    if (host.sysfs.list(`/sys/class/fc_remote_ports/${id}`) === null)
      log(1, `${pp.dev}: No fc_remote_port device for '${id}'`);
    return "[unknown]";
  }
  return v;
}

/**
 * The string a `weightedpath` mode matches its regular expressions against: `hbtl` →
 * `H:B:T:L`, `devname` → `sdc`, `serial` → the path serial, `wwn` →
 * `hostWWNN:hostWWPN:targetWWNN:targetWWPN`; null for another mode.
 */
export function weightedPathString(mode: string, pp: PrioPath, host: Host, log: CondLog): string | null {
  switch (mode) {
    case "hbtl":
      return `${pp.sgId.hostNo}:${pp.sgId.channel}:${pp.sgId.scsiId}:${pp.sgId.lun}`;
    case "devname":
      return pp.dev;
    case "serial":
      return pp.serial;
    case "wwn":
      return [
        hostAttr(host, pp, "node_name", log),
        hostAttr(host, pp, "port_name", log),
        pp.tgtNodeName === "" ? "[undef]" : pp.tgtNodeName,
        tgtWwpn(host, pp, log),
      ].join(":");
    default:
      return null;
  }
}

/** A POSIX extended regular expression as a JavaScript one, or null when it does not compile. */
function compileEre(re: string): RegExp | null {
  try {
    return new RegExp(re);
  } catch {
    return null;
  }
}

/**
 * The `weightedpath` prioritizer: `prio_args "<mode> <regex> <prio> [<regex> <prio>]…"`; the
 * first (unanchored, extended) regular expression matching the path's string gives its number
 * (`atoi`); no match, no args or a bad mode give 0.
 */
export function createWeightedPathPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "weightedpath",
    getprio(pp, args, _timeout, env, done) {
      if (args === null) {
        done(DEFAULT_PRIORITY);
        return;
      }
      let [mode, rest] = nextString(args);
      if (mode === null) {
        done(DEFAULT_PRIORITY);
        return;
      }
      const path = weightedPathString(mode, pp, env.host, env.log);
      if (path === null) {
        env.log(0, `${pp.dev}: weightedpath - Invalid arguments`);
        done(DEFAULT_PRIORITY);
        return;
      }
      for (;;) {
        if (rest === null) break;
        let regex: string | null;
        let prio: string | null;
        [regex, rest] = nextString(rest);
        if (regex === null) break;
        [prio, rest] = nextString(rest);
        if (prio === null) break;
        const re = compileEre(regex);
        if (re?.test(path)) {
          done(atoi(prio));
          return;
        }
      }
      done(DEFAULT_PRIORITY);
    },
  });
}
