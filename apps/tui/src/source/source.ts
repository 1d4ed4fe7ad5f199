/**
 * The seam between the dashboard and the world it watches. The UI never knows whether it looks at
 * the embedded simulator, a daemon over its socket or a test fake: it reads snapshots, subscribes
 * to new ones, and sends operator intents, which every source turns into multipathd commands.
 */
import { type Command, formatCommand } from "@mp/daemon";
import type { DashboardSnapshot } from "./model.js";

/**
 * An operator action on a map or a path. Each is one multipathd command (see
 * {@link operatorCommand}), sent through the daemon's command interface exactly as
 * `multipathd -k"…"` would send it.
 */
export type OperatorIntent =
  | { readonly kind: "fail-path"; readonly path: string }
  | { readonly kind: "reinstate-path"; readonly path: string }
  | { readonly kind: "switch-group"; readonly map: string; readonly group: number }
  | { readonly kind: "suspend-map"; readonly map: string }
  | { readonly kind: "resume-map"; readonly map: string }
  | { readonly kind: "disable-queueing"; readonly map: string }
  | { readonly kind: "restore-queueing"; readonly map: string };

/** The multipathd command of an operator intent. */
export function operatorDaemonCommand(intent: OperatorIntent): Command {
  switch (intent.kind) {
    case "fail-path":
      return { kind: "fail", path: intent.path };
    case "reinstate-path":
      return { kind: "reinstate", path: intent.path };
    case "switch-group":
      return { kind: "switchGroup", map: intent.map, group: String(intent.group) };
    case "suspend-map":
      return { kind: "suspend", map: intent.map };
    case "resume-map":
      return { kind: "resume", map: intent.map };
    case "disable-queueing":
      return { kind: "disableQueueing", map: intent.map };
    case "restore-queueing":
      return { kind: "restoreQueueing", map: intent.map };
    default: {
      const never: never = intent;
      throw new Error(`unknown intent ${JSON.stringify(never)}`);
    }
  }
}

/** The multipathd command line of an operator intent (`fail path sda`), in 0.9.4's grammar. */
export function operatorCommand(intent: OperatorIntent): string {
  return formatCommand(operatorDaemonCommand(intent));
}

/**
 * A fault injected into the simulated hardware, aimed at the hardware behind a path (its target
 * port, its HBA, its link) or at the LUN behind a map.
 */
export type FaultIntent =
  | { readonly kind: "port-down"; readonly path: string }
  | { readonly kind: "port-up"; readonly path: string }
  | { readonly kind: "hba-down"; readonly path: string }
  | { readonly kind: "hba-up"; readonly path: string }
  /** Link goes down, comes back after `downMs` of virtual time. */
  | { readonly kind: "link-flap"; readonly path: string; readonly downMs: number }
  /** Adds `latencyMs` to the path's link; 0 restores the default. */
  | { readonly kind: "slow-path"; readonly path: string; readonly latencyMs: number }
  /** Sets the ALUA state of the path's target port group for the path's LUN. */
  | { readonly kind: "alua-state"; readonly path: string; readonly state: AluaStateIntent }
  /** Unmaps (or maps again) the map's LUN on every port. */
  | { readonly kind: "lun-unmap"; readonly map: string }
  | { readonly kind: "lun-map"; readonly map: string };

/** ALUA states an operator can force on a target port group. */
export type AluaStateIntent = "active/optimized" | "active/non-optimized" | "standby" | "unavailable";

/** What a source answers to an action. */
export interface ActionReply {
  /** The daemon accepted it (reply `ok`, or a fault applied). */
  readonly ok: boolean;
  /** What was sent (a multipathd command line, or a fault's description). */
  readonly request: string;
  /** The reply text (the daemon's, trailing newline removed). */
  readonly reply: string;
}

/** Virtual time control of a simulator. */
export interface TimeControl {
  readonly paused: boolean;
  /** Virtual seconds per wall second requested. */
  readonly speed: number;
  /** Speed achieved over the last second (lower than `speed` when the CPU cannot keep up). */
  readonly effectiveSpeed: number;
  setPaused(paused: boolean): void;
  setSpeed(speed: number): void;
  /** Moves virtual time forward by `ns` (while paused, or not), then refreshes. */
  step(ns: number): Promise<void>;
}

/** What kind of source this is, and what it allows. */
export interface SourceInfo {
  readonly kind: "simulator" | "socket" | "fake";
  /** Shown in the header (`simulator seed=1`, `socket @/org/kernel/linux/storage/multipathd`). */
  readonly label: string;
  /** Operator actions are refused (`--read-only`, or the daemon refuses modifying commands). */
  readonly readOnly: boolean;
  /** Why it is read-only, when it is. */
  readonly readOnlyReason?: string;
}

/** Receives every new snapshot. */
export type SnapshotListener = (snapshot: DashboardSnapshot) => void;

/**
 * A live view of a multipath host. `refresh()` takes a new snapshot (the dashboard calls it at
 * its refresh rate); `subscribe` is told about every snapshot, including those a source takes on
 * its own (after an action, on a step).
 */
export interface DashboardSource {
  readonly info: SourceInfo;
  /** The latest snapshot. */
  current(): DashboardSnapshot;
  subscribe(listener: SnapshotListener): () => void;
  /** Starts the source (boots the world, connects). Idempotent. */
  start(): Promise<void>;
  /** Takes a new snapshot now and tells the subscribers. */
  refresh(): Promise<DashboardSnapshot>;
  /** Sends an operator action through the daemon's command interface. */
  act(intent: OperatorIntent): Promise<ActionReply>;
  /** Injects a fault into simulated hardware (simulator only). */
  readonly inject?: ((fault: FaultIntent) => Promise<ActionReply>) | undefined;
  /** Virtual time control (simulator only). */
  readonly time?: TimeControl | undefined;
  /** Stops timers, closes connections. Idempotent. */
  stop(): Promise<void>;
}

/** A short description of a fault intent, as the event log and the status line show it. */
export function describeFault(f: FaultIntent): string {
  switch (f.kind) {
    case "port-down":
      return `target port of ${f.path} down`;
    case "port-up":
      return `target port of ${f.path} up`;
    case "hba-down":
      return `HBA of ${f.path} removed`;
    case "hba-up":
      return `HBA of ${f.path} re-inserted`;
    case "link-flap":
      return `link of ${f.path} flaps (${f.downMs} ms down)`;
    case "slow-path":
      return f.latencyMs > 0
        ? `link of ${f.path} slowed by ${f.latencyMs} ms`
        : `link of ${f.path} latency restored`;
    case "alua-state":
      return `ALUA group of ${f.path} → ${f.state}`;
    case "lun-unmap":
      return `LUN of ${f.map} unmapped`;
    case "lun-map":
      return `LUN of ${f.map} mapped again`;
    default: {
      const never: never = f;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}
