import { definePrioritizer, type Prioritizer } from "../prio.js";
import { sscanf } from "../scanf.js";

const BY_PATH = "/dev/disk/by-path/";

/**
 * The `iet` prioritizer (iSCSI, open-iscsi initiator): 20 when one of the device's
 * `/dev/disk/by-path` links names the IP in `prio_args "preferredip=A.B.C.D"`, else 10; 0 for
 * missing or malformed arguments. The links come from the udev database (in name order; the C
 * code takes `readdir`'s order, which is not defined).
 */
export function createIetPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "iet",
    getprio(pp, args, _timeout, env, done) {
      const log = (msg: string) => env.log(0, `${pp.dev}: iet prio: ${msg}`);
      if (args === null) {
        log("need prio_args with preferredip set");
        done(0);
        return;
      }
      const a = sscanf(args, "preferredip=%s");
      if (a.count !== 1) {
        log("unexpected prio_args format");
        done(0);
        return;
      }
      const preferredip = a.values[0] as string;
      if (preferredip.length <= 7) {
        log("prio args: preferredip too short");
        done(0);
        return;
      }
      const links: Array<[string, string]> = [];
      for (const d of env.host.udev.enumerate({ subsystem: "block" })) {
        for (const l of d.devlinks)
          if (l.startsWith(BY_PATH)) links.push([l.slice(BY_PATH.length), `../../${d.sysname}`]);
      }
      links.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      for (const [name, target] of links) {
        if (name.startsWith(".")) continue;
        const device = /(sd[a-z]+)/.exec(target)?.[1];
        if (device === undefined || !pp.dev.startsWith(device)) continue;
        const ip = /([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})/.exec(name)?.[1];
        if (ip !== undefined && preferredip.startsWith(ip)) {
          done(20);
          return;
        }
      }
      done(10);
    },
  });
}
