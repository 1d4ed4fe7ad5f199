import type { ReqOp } from "@mp/dm-core";

/**
 * The timing seam of the fabric: how long one I/O takes at one resource (a target port, a LUN, a
 * whole path).
 *
 * The caller (an sd disk, a target port) asks once per I/O, at submission, and schedules the
 * completion `serviceNs(...)` later on the world's clock. Queueing is the model's business: a
 * model with a queue-depth limit or a bandwidth cap remembers the work it has already accepted
 * (when its servers and its channel become free) and folds the wait into the returned delay, so
 * the caller needs no queue of its own and nothing is allocated per I/O.
 *
 * Arguments are positional (a `Bio` has all of them: `bio.op, bio.bytes, bio.sector`) so that the
 * hot path passes no object.
 *
 * Laws every implementation keeps:
 * - the result is a finite integer >= 0;
 * - with the same construction, seed and call sequence, the results are the same;
 * - `nowNs` never decreases between two calls, except for the downstream stages of a tandem,
 *   which are asked at the (future) time the upstream stage releases the I/O.
 */
export interface ServiceModel {
  /** A label for reports and RNG streams (`port 0:1`, `lun 3`). */
  readonly name: string;
  /**
   * The delay, in integer nanoseconds, from `nowNs` to the completion of an I/O arriving at
   * `nowNs`, including any wait for a free server or for the channel. Reserves the resources
   * the I/O occupies.
   *
   * `op` is READ or anything else (write-like: WRITE, FLUSH, DISCARD, WRITE_ZEROES); `bytes` may
   * be 0 (FLUSH); `sector` lets a model see sequentiality (a disk head's position).
   */
  serviceNs(op: ReqOp, bytes: number, sector: number, nowNs: number): number;
  /**
   * Forgets accepted work: the servers and channel are free from `nowNs` on and position state
   * (a disk head) is unknown. Called when the owner aborted the in-flight I/O (port down, LUN
   * reset, link loss); the aborted I/O must not hold up what comes next.
   */
  reset(nowNs: number): void;
}
