import type { KernelLog } from "../kernel/log.js";

/**
 * dm's printk wrappers (`DMERR`, `DMWARN`, `DMINFO`, `DMCRIT`, `DMDEBUG`): every line is
 * `device-mapper: <prefix>: <text>` where the prefix is the source file's `DM_MSG_PREFIX`
 * (`table`, `ioctl`, `core`, `core-rq`, `linear`, …).
 */
export class DmLog {
  readonly #log: KernelLog;
  readonly #prefix: string;

  constructor(log: KernelLog, prefix: string) {
    this.#log = log;
    this.#prefix = `device-mapper: ${prefix}: `;
  }

  err(text: string): void {
    this.#log.err(this.#prefix + text);
  }

  crit(text: string): void {
    this.#log.printk(2, this.#prefix + text);
  }

  warn(text: string): void {
    this.#log.warn(this.#prefix + text);
  }

  info(text: string): void {
    this.#log.info(this.#prefix + text);
  }

  debug(text: string): void {
    this.#log.debug(this.#prefix + text);
  }
}

/** `%pe` of a negative errno, e.g. `-EINVAL`. */
export function pe(errno: number, name: (e: number) => string): string {
  const e = Math.abs(errno);
  const n = name(e);
  return /^E[A-Z0-9]+$/.test(n) ? `-${n}` : `-${e}`;
}

/**
 * `printk_ratelimited` state of one call site (`DEFINE_RATELIMIT_STATE(_rs, 5 * HZ, 10)`): at
 * most `burst` lines per `intervalNs`; when a new interval starts after dropped lines, logs
 * `<func>: <n> callbacks suppressed` first.
 */
export class RateLimit {
  readonly #func: string;
  readonly #intervalNs: number;
  readonly #burst: number;
  #begin = -1;
  #printed = 0;
  #missed = 0;

  constructor(func: string, intervalNs = 5_000_000_000, burst = 10) {
    this.#func = func;
    this.#intervalNs = intervalNs;
    this.#burst = burst;
  }

  /** True when the caller may print now. */
  allow(nowNs: number, log: KernelLog): boolean {
    if (this.#begin < 0) this.#begin = nowNs;
    if (nowNs > this.#begin + this.#intervalNs) {
      if (this.#missed) {
        log.warn(`${this.#func}: ${this.#missed} callbacks suppressed`);
        this.#missed = 0;
      }
      this.#begin = nowNs;
      this.#printed = 0;
    }
    if (this.#printed < this.#burst) {
      this.#printed++;
      return true;
    }
    this.#missed++;
    return false;
  }
}
