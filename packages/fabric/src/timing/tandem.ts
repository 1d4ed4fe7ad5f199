import type { ReqOp } from "@mp/dm-core";
import { TimingSpecError } from "./errors.js";
import type { ServiceModel } from "./service-model.js";

/**
 * Resources an I/O crosses one after the other — a tandem of queues. The path to a LUN is
 * `tandem([targetPort, lun])` (or `[initiatorPort, targetPort, lun]`): each stage is asked at the
 * time the previous one releases the I/O, so a busy port delays the I/O before it reaches the
 * LUN, and a LUN shared by several ports sees the I/O of all of them. Stages are shared by
 * reference: the same LUN model behind two ports is one queue.
 */
export class TandemModel implements ServiceModel {
  readonly name: string;
  readonly stages: readonly ServiceModel[];

  constructor(name: string, stages: readonly ServiceModel[]) {
    if (stages.length === 0)
      throw new TimingSpecError(`tandem ${JSON.stringify(name)}`, ["needs at least one stage"]);
    this.name = name;
    this.stages = stages;
  }

  serviceNs(op: ReqOp, bytes: number, sector: number, nowNs: number): number {
    let t = nowNs;
    const st = this.stages;
    for (let i = 0; i < st.length; i++) t += st[i]!.serviceNs(op, bytes, sector, t);
    return t - nowNs;
  }

  /**
   * Resets every stage. Stages are usually shared (one LUN behind many ports): to forget the
   * work of one port only, reset that port's own model instead.
   */
  reset(nowNs: number): void {
    for (const s of this.stages) s.reset(nowNs);
  }
}

/** `new TandemModel(name, stages)`. */
export function tandem(name: string, stages: readonly ServiceModel[]): TandemModel {
  return new TandemModel(name, stages);
}
