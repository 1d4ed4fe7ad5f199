import { definePrioritizer, PRIO_UNDEF, type Prioritizer } from "../prio.js";
import { sysfsGetAsymmetricAccessState } from "../sysfs-attr.js";
import { getExclusivePrefArg } from "./alua.js";

const ACCESS_STATE_PRIO: ReadonlyArray<readonly [string, number]> = [
  ["active/optimized", 50],
  ["active/non-optimized", 10],
  ["lba-dependent", 5],
  ["standby", 1],
];

/**
 * The `sysfs` prioritizer: the kernel's view of ALUA (`access_state` and `preferred_path` that the
 * device handler maintains) with the `alua` prioritizer's values; PRIO_UNDEF when the SCSI
 * device has no readable `access_state`.
 */
export function createSysfsPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "sysfs",
    getprio(pp, args, _timeout, env, done) {
      const exclusive = getExclusivePrefArg(args);
      const { rc, state } = sysfsGetAsymmetricAccessState(env.host, pp.dev);
      if (rc < 0) {
        done(PRIO_UNDEF);
        return;
      }
      let prio = 0;
      for (const [name, value] of ACCESS_STATE_PRIO) {
        if (state.startsWith(name)) {
          prio = value;
          break;
        }
      }
      if (rc > 0 && (prio !== 50 || exclusive)) prio += 80;
      done(prio);
    },
  });
}
