import { ReqOp, type Rng } from "@mp/dm-core";
import { DiskMechanics, type DiskMechanicsSpec } from "./disk-mechanics.js";
import {
  createDistribution,
  type Distribution,
  type DistributionSpec,
  distributionProblems,
} from "./distribution.js";
import { TimingSpecError } from "./errors.js";
import type { ServiceModel } from "./service-model.js";

/** A throughput cap of one direction (or of both, on a half-duplex resource). */
export interface RateCap {
  /** Bytes per second; omitted = no byte cap. */
  readonly bytesPerSec?: number;
  /** I/Os per second; omitted = no I/O-rate cap. */
  readonly iops?: number;
}

/**
 * One timed resource (a target port, a LUN, a link), as data. An I/O passes, in order:
 *
 * 1. the **rate limiter** of its direction: a FIFO serializer that holds each I/O for
 *    `max(bytes / bytesPerSec, 1 / iops)` — this is how bandwidth and IOPS caps bite. A
 *    full-duplex resource (FC, SAS, PCIe, Ethernet) has one serializer per direction; a
 *    half-duplex one shares a single serializer (each I/O still uses its own direction's caps);
 * 2. one of `queueDepth` **servers** (FCFS; when all are busy the I/O waits in the queue for the
 *    first to free up), for a service time drawn from the direction's distribution plus, for a
 *    disk, the head's positioning and media transfer time;
 * 3. a fixed **pipeline latency** (wire, switch hops, DMA), which delays but occupies nothing.
 *
 * Reads and writes may differ in every respect (distributions, caps, seek times).
 */
export interface ResourceSpec {
  /**
   * Commands in service at once; further I/O queues FIFO. Default: unlimited, or 1 with
   * `mechanics` (one actuator serves one command at a time; deeper queues are not reordered).
   */
  readonly queueDepth?: number;
  /** Service time per command: one distribution for both directions, or one each. Default 0. */
  readonly service?: DistributionSpec | { readonly read: DistributionSpec; readonly write: DistributionSpec };
  /** Throughput caps per direction. */
  readonly rate?: { readonly read?: RateCap; readonly write?: RateCap; readonly duplex?: "full" | "half" };
  /** Fixed latency added to every I/O, occupying nothing. Default 0. */
  readonly latencyNs?: number;
  /** A rotating disk's head: adds positioning and media transfer to the service time. */
  readonly mechanics?: DiskMechanicsSpec;
}

/** Largest queue depth a resource may have (servers are tracked individually). */
export const MAX_QUEUE_DEPTH = 1 << 16;

function isSplit(
  s: ResourceSpec["service"],
): s is { readonly read: DistributionSpec; readonly write: DistributionSpec } {
  return s !== undefined && !("kind" in s);
}

/** Every problem with `spec`, each naming the field. */
export function resourceProblems(spec: ResourceSpec): string[] {
  const out: string[] = [];
  const qd = spec.queueDepth;
  if (
    qd !== undefined &&
    qd !== Number.POSITIVE_INFINITY &&
    !(Number.isInteger(qd) && qd >= 1 && qd <= MAX_QUEUE_DEPTH)
  )
    out.push(`queueDepth must be an integer in [1, ${MAX_QUEUE_DEPTH}] or Infinity (got ${qd})`);
  if (spec.latencyNs !== undefined && !(Number.isFinite(spec.latencyNs) && spec.latencyNs >= 0))
    out.push(`latencyNs must be a finite number >= 0 (got ${spec.latencyNs})`);
  const svc = spec.service;
  if (isSplit(svc)) {
    for (const p of distributionProblems(svc.read)) out.push(`service.read: ${p}`);
    for (const p of distributionProblems(svc.write)) out.push(`service.write: ${p}`);
  } else if (svc !== undefined) {
    for (const p of distributionProblems(svc)) out.push(`service: ${p}`);
  }
  for (const dir of ["read", "write"] as const) {
    const cap = spec.rate?.[dir];
    if (!cap) continue;
    if (cap.bytesPerSec !== undefined && !(cap.bytesPerSec > 0 && Number.isFinite(cap.bytesPerSec)))
      out.push(`rate.${dir}.bytesPerSec must be a finite number > 0`);
    if (cap.iops !== undefined && !(cap.iops > 0 && Number.isFinite(cap.iops)))
      out.push(`rate.${dir}.iops must be a finite number > 0`);
  }
  const duplex = spec.rate?.duplex;
  if (duplex !== undefined && duplex !== "full" && duplex !== "half")
    out.push(`rate.duplex must be "full" or "half"`);
  return out;
}

/** Options of {@link QueueingResource}. */
export interface QueueingResourceOptions {
  /** The LUN size in sectors: required with `mechanics` (seek distances are fractions of it). */
  readonly capacitySectors?: number;
}

/**
 * A {@link ServiceModel} over one resource described by a {@link ResourceSpec}: an FCFS
 * G/G/c queue computed by the Lindley recursion at arrival time — each server's and each
 * serializer's "free at" time is remembered, so an arriving I/O's wait and completion are known
 * at once and nothing is queued or allocated per I/O.
 *
 * Exact for FCFS when arrivals come in time order (a resource asked directly by its owner). A
 * downstream stage of a tandem may be asked slightly out of time order (I/Os that left an
 * upstream stage with random service times); it then serves them in the order asked, a
 * permutation of FCFS that keeps its throughput.
 *
 * Fault knobs (`serviceScale`, `extraLatencyNs`) change the model from the next I/O on.
 */
export class QueueingResource implements ServiceModel {
  readonly name: string;
  readonly spec: ResourceSpec;
  /** Multiplies every service time (a slow controller, a degraded drive). Default 1. */
  serviceScale = 1;
  /** Added to every I/O's latency, like dm-delay or a congested link. Default 0. */
  extraLatencyNs = 0;

  readonly #read: Distribution;
  readonly #write: Distribution;
  readonly #latencyNs: number;
  /** Min-heap of the servers' free-at times; null = unlimited servers. */
  readonly #servers: Float64Array | null;
  readonly #mech: DiskMechanics | null;
  /** Per-I/O serializer occupancy: ns per byte and ns per I/O, per direction (0 = no cap). */
  readonly #nsPerByte = new Float64Array(2);
  readonly #nsPerIo = new Float64Array(2);
  /** Free-at time of the serializer of each direction (index 0 is shared when half duplex). */
  readonly #chanFree = new Float64Array(2);
  readonly #halfDuplex: boolean;
  readonly #hasRate: boolean;

  /**
   * @param name label (reports; also the RNG fork label — keep it unique in a world).
   * @param rng the world's (or the fabric's) stream: the resource draws from `rng.fork(name)`,
   *   so adding a resource never changes the draws of the others.
   */
  constructor(name: string, spec: ResourceSpec, rng: Rng, options: QueueingResourceOptions = {}) {
    const problems = resourceProblems(spec);
    if (spec.mechanics && !(options.capacitySectors && options.capacitySectors > 0))
      problems.push("mechanics need options.capacitySectors > 0");
    if (spec.mechanics && spec.queueDepth !== undefined && spec.queueDepth !== 1)
      problems.push("a resource with mechanics has one head: queueDepth must be 1 (or omitted)");
    if (problems.length > 0) throw new TimingSpecError(`resource ${JSON.stringify(name)}`, problems);
    this.name = name;
    this.spec = spec;
    const own = rng.fork(name);
    const svc = spec.service ?? { kind: "fixed", ns: 0 };
    if (isSplit(svc)) {
      this.#read = createDistribution(svc.read, own.fork("read"));
      this.#write = createDistribution(svc.write, own.fork("write"));
    } else {
      this.#read = createDistribution(svc, own.fork("service"));
      this.#write = this.#read;
    }
    this.#latencyNs = spec.latencyNs ?? 0;
    const qd = spec.queueDepth ?? (spec.mechanics ? 1 : Number.POSITIVE_INFINITY);
    this.#servers = Number.isFinite(qd) ? new Float64Array(qd) : null;
    this.#mech = spec.mechanics
      ? new DiskMechanics(spec.mechanics, options.capacitySectors!, own.fork("mechanics"))
      : null;
    const r = spec.rate;
    this.#halfDuplex = r?.duplex === "half";
    const caps = [r?.read, r?.write];
    for (let d = 0; d < 2; d++) {
      const c = caps[d];
      this.#nsPerByte[d] = c?.bytesPerSec ? 1e9 / c.bytesPerSec : 0;
      this.#nsPerIo[d] = c?.iops ? 1e9 / c.iops : 0;
    }
    this.#hasRate = this.#nsPerByte.some((v) => v > 0) || this.#nsPerIo.some((v) => v > 0);
  }

  /** Servers (queue depth); Infinity when unlimited. */
  get queueDepth(): number {
    return this.#servers ? this.#servers.length : Number.POSITIVE_INFINITY;
  }

  /** Mean service time of a direction (distribution only; excludes mechanics and caps). */
  meanServiceNs(op: ReqOp): number {
    return (op === ReqOp.READ ? this.#read : this.#write).mean;
  }

  serviceNs(op: ReqOp, bytes: number, sector: number, nowNs: number): number {
    const d = op === ReqOp.READ ? 0 : 1;
    let t = nowNs;
    if (this.#hasRate) {
      const occ = Math.max(bytes * this.#nsPerByte[d]!, this.#nsPerIo[d]!);
      if (occ > 0) {
        const c = this.#halfDuplex ? 0 : d;
        const start = Math.max(this.#chanFree[c]!, t);
        t = start + occ;
        this.#chanFree[c] = t;
      }
    }
    let svc = (d === 0 ? this.#read : this.#write).sample();
    if (this.#mech) svc += this.#mech.accessNs(d === 1, sector, bytes);
    svc *= this.serviceScale;
    const heap = this.#servers;
    if (heap) {
      const free = heap[0]!;
      const start = Math.max(free, t);
      t = start + svc;
      siftDownRoot(heap, t);
    } else {
      t += svc;
    }
    t += this.#latencyNs + this.extraLatencyNs;
    const delay = Math.round(t - nowNs);
    return Math.max(delay, 0);
  }

  reset(nowNs: number): void {
    this.#chanFree.fill(nowNs);
    this.#servers?.fill(nowNs);
    this.#mech?.reset();
  }

  /**
   * I/Os accepted and not yet through the servers at `nowNs` (busy servers), a gauge for
   * dashboards. Counts servers only: I/O still in the rate limiter is not included.
   */
  busyServers(nowNs: number): number {
    const h = this.#servers;
    if (!h) return 0;
    let n = 0;
    for (let i = 0; i < h.length; i++) if (h[i]! > nowNs) n++;
    return n;
  }
}

/** Replaces the heap's root with `v` and restores the min-heap order. */
function siftDownRoot(h: Float64Array, v: number): void {
  const n = h.length;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]! < h[l]! ? r : l;
    if (h[c]! >= v) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = v;
}
