import type { Clock } from "../clock/clock.js";
import { type KernelLog, LogLevel } from "../kernel/log.js";
import { HZ } from "./mpath-state.js";

/** `DEFAULT_RATELIMIT_INTERVAL` (5 s) and `DEFAULT_RATELIMIT_BURST`. */
const INTERVAL_JIFFIES = 5 * HZ;
const BURST = 10;
const NS_PER_JIFFY = 1_000_000_000 / HZ;

interface RatelimitState {
  begin: number;
  printed: number;
  missed: number;
}

/**
 * The per-call-site `struct ratelimit_state`s of one kernel. They belong to the kernel, not to a
 * target instance, so they are keyed by the kernel's log: a side table rather than a global.
 */
const statesByKernel = new WeakMap<KernelLog, Map<string, RatelimitState>>();

/**
 * `printk_ratelimited` (`___ratelimit` in lib/ratelimit.c): at most 10 lines per 5 s per call
 * site; when a new interval starts after suppressions, `<callsite>: N callbacks suppressed` is
 * logged first.
 */
export function printkRatelimited(
  log: KernelLog,
  clock: Clock,
  callsite: string,
  level: LogLevel,
  text: string,
): void {
  let states = statesByKernel.get(log);
  if (!states) statesByKernel.set(log, (states = new Map()));
  let rs = states.get(callsite);
  const jiffies = Math.floor(clock.now() / NS_PER_JIFFY);
  if (!rs) states.set(callsite, (rs = { begin: jiffies, printed: 0, missed: 0 }));
  if (jiffies > rs.begin + INTERVAL_JIFFIES) {
    if (rs.missed) {
      log.printk(LogLevel.WARNING, `${callsite}: ${rs.missed} callbacks suppressed`);
      rs.missed = 0;
    }
    rs.begin = jiffies;
    rs.printed = 0;
  }
  if (rs.printed < BURST) {
    rs.printed++;
    log.printk(level, text);
  } else {
    rs.missed++;
  }
}
