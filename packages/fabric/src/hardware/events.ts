import type { AluaStateName } from "./alua.js";

/**
 * What happens in the hardware, for traces, reports and dashboards. Every state change a fault
 * primitive or the target makes is announced here, in order, on the clock.
 */
export type FabricEvent =
  | { readonly kind: "port"; readonly array: string; readonly port: string; readonly up: boolean }
  | { readonly kind: "link"; readonly link: string; readonly up: boolean }
  | { readonly kind: "link-latency"; readonly link: string; readonly ns: number }
  | {
      readonly kind: "alua";
      readonly array: string;
      readonly group: number;
      readonly luGroup: string;
      readonly state: AluaStateName | "unknown";
      readonly preferred: boolean;
      readonly cause: "stpg" | "implicit" | "transition-done";
    }
  | { readonly kind: "lun-map"; readonly array: string; readonly lu: string; readonly mapped: boolean }
  | { readonly kind: "lun-resize"; readonly array: string; readonly lu: string; readonly blocks: number }
  | {
      readonly kind: "fault";
      readonly array: string;
      readonly lu: string;
      readonly id: number;
      readonly added: boolean;
    }
  | { readonly kind: "hba"; readonly hba: string; readonly present: boolean }
  | {
      readonly kind: "ana";
      readonly subsystem: string;
      /** The target port whose state changed (absent: every port). */
      readonly port?: string;
      readonly group: number;
      readonly state: string;
    }
  | {
      readonly kind: "nvme-ctrl";
      /** `nvme<N>` on the host. */
      readonly ctrl: string;
      readonly subsystem: string;
      readonly port: string;
      /** The host controller's new state (sysfs `state`). */
      readonly state: string;
    };

/** A listener list; listeners run synchronously in subscription order. */
export class Emitter<T> {
  readonly #listeners = new Set<(e: T) => void>();

  subscribe(fn: (e: T) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  emit(e: T): void {
    for (const l of this.#listeners) l(e);
  }

  get size(): number {
    return this.#listeners.size;
  }
}
