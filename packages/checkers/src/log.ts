/**
 * `condlog(prio, fmt, …)`: how checkers and prioritizers report. `prio` is multipath-tools'
 * verbosity level (0 always shown … 4 debug, 5 noisy); the daemon decides what to print.
 */
export type CondLog = (prio: number, msg: string) => void;

/** A logger that drops everything. */
export const silentLog: CondLog = () => {};
