import type { Clock } from "../clock/clock.js";

/** printk levels, as the kernel numbers them. */
export const LogLevel = {
  EMERG: 0,
  ALERT: 1,
  CRIT: 2,
  ERR: 3,
  WARNING: 4,
  NOTICE: 5,
  INFO: 6,
  DEBUG: 7,
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** One line of the kernel log. */
export interface KernelLogLine {
  /** Sequence number (0, 1, …): the cursor for {@link KernelLog.since}. */
  readonly seq: number;
  /** Clock time in ns. */
  readonly timeNs: number;
  readonly level: LogLevel;
  /** The text as `dmesg` prints it after the timestamp, e.g. `device-mapper: multipath: 254:0: Failing path 7:0.` */
  readonly text: string;
}

/**
 * The kernel ring buffer. Every subsystem logs here with the kernel's exact wording; `dmesg`
 * (and the conformance runner's `@dmesg`) reads it. Debug lines are kept but flagged by level.
 */
export class KernelLog {
  readonly #clock: Clock;
  /** The buffer is `#lines[#start…]`; dropped lines are cut off in bulk (a splice per line is O(capacity)). */
  readonly #lines: KernelLogLine[] = [];
  #start = 0;
  readonly #listeners = new Set<(line: KernelLogLine) => void>();
  readonly #capacity: number;
  #seq = 0;

  /** @param capacity lines kept before the oldest are dropped (default 100 000). */
  constructor(clock: Clock, capacity = 100_000) {
    this.#clock = clock;
    this.#capacity = capacity;
  }

  printk(level: LogLevel, text: string): void {
    const line: KernelLogLine = { seq: this.#seq++, timeNs: this.#clock.now(), level, text };
    const lines = this.#lines;
    lines.push(line);
    if (lines.length - this.#start > this.#capacity) {
      this.#start = lines.length - this.#capacity;
      if (this.#start >= this.#capacity) {
        lines.splice(0, this.#start);
        this.#start = 0;
      }
    }
    for (const l of this.#listeners) l(line);
  }

  err(text: string): void {
    this.printk(LogLevel.ERR, text);
  }

  warn(text: string): void {
    this.printk(LogLevel.WARNING, text);
  }

  notice(text: string): void {
    this.printk(LogLevel.NOTICE, text);
  }

  info(text: string): void {
    this.printk(LogLevel.INFO, text);
  }

  debug(text: string): void {
    this.printk(LogLevel.DEBUG, text);
  }

  /** The sequence number the next line will get: pass it to {@link KernelLog.since} later. */
  cursor(): number {
    return this.#seq;
  }

  /** Lines logged at or after `cursor` (that are still in the buffer). */
  since(cursor: number): KernelLogLine[] {
    const first = this.#lines[this.#start]?.seq ?? this.#seq;
    return this.#lines.slice(this.#start + Math.max(0, cursor - first));
  }

  /** Subscribes to new lines. Returns the unsubscribe function. */
  subscribe(fn: (line: KernelLogLine) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/** `[ seconds.micros]`, the timestamp dmesg prints before a line. */
export function formatDmesgTime(timeNs: number): string {
  const us = Math.floor(timeNs / 1000);
  const s = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, "0");
  return `[${String(s).padStart(5, " ")}.${frac}]`;
}
