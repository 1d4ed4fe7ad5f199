/**
 * The daemon's typed event stream for user interfaces: what happened to paths and maps, with
 * virtual timestamps. libmultipath and multipathd emit these where the real daemon would log the
 * corresponding change; a dashboard subscribes instead of parsing logs.
 */

/** Something that happened, at virtual time `timeNs`. */
export type DaemonEvent =
  | {
      readonly kind: "path-state";
      readonly timeNs: number;
      readonly dev: string;
      readonly map: string | null;
      /** Checker state names (`up`, `down`, `ghost`…). */
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly kind: "checker-result";
      readonly timeNs: number;
      readonly dev: string;
      readonly checker: string;
      readonly state: string;
      /** The checker's message (` reports path is up`…), "" when none. */
      readonly message: string;
    }
  | {
      readonly kind: "map";
      readonly timeNs: number;
      readonly action: "create" | "reload" | "resize" | "rename" | "switchpg" | "remove" | "flush";
      readonly map: string;
      readonly wwid: string;
      /** The table loaded (create/reload/resize). */
      readonly params?: string;
      /** The old name (rename). */
      readonly from?: string;
    }
  | {
      readonly kind: "group-switch";
      readonly timeNs: number;
      readonly map: string;
      readonly group: number;
      readonly reason: "failback" | "operator" | "reload";
    }
  | {
      readonly kind: "queueing";
      readonly timeNs: number;
      readonly map: string;
      readonly enabled: boolean;
      readonly reason:
        | "no_path_retry"
        | "recovered"
        | "operator"
        | "timeout"
        | "shutdown"
        | "last-path-removed";
    }
  | {
      readonly kind: "recovery";
      readonly timeNs: number;
      readonly map: string;
      /** Entering recovery mode (true: `retryTick` seconds of queueing left) or leaving it. */
      readonly entered: boolean;
      readonly retryTick: number;
    }
  | {
      readonly kind: "path-dm";
      readonly timeNs: number;
      readonly map: string;
      readonly dev: string;
      readonly action: "fail" | "reinstate";
    }
  | {
      readonly kind: "path-added";
      readonly timeNs: number;
      readonly dev: string;
      readonly map: string | null;
    }
  | {
      readonly kind: "path-removed";
      readonly timeNs: number;
      readonly dev: string;
      readonly map: string | null;
    }
  | {
      readonly kind: "daemon-state";
      readonly timeNs: number;
      readonly state: "init" | "startup" | "configure" | "idle" | "running" | "shutdown";
    };

/** Receives events. */
export type DaemonEventListener = (e: DaemonEvent) => void;

/** A fan-out of events to subscribers. */
export class EventHub {
  readonly #listeners = new Set<DaemonEventListener>();

  /** Subscribes; returns the unsubscribe function. */
  subscribe(fn: DaemonEventListener): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** True when someone listens (saves building events otherwise). */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  emit(e: DaemonEvent): void {
    for (const fn of this.#listeners) fn(e);
  }
}
