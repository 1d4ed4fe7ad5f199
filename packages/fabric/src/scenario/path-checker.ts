import {
  type Clock,
  type DmControl,
  type KernelLog,
  type ScsiDevice,
  type ScsiResult,
  SenseKey,
  testUnitReadyCdb,
} from "@mp/dm-core";
import type { CheckerSpec } from "./spec.js";

/** One path of a multipath INFO status line. */
export interface MpathStatusPath {
  /** `M:m`. */
  readonly dev: string;
  readonly active: boolean;
  readonly failCount: number;
}

/** One priority group of a multipath INFO status line. */
export interface MpathStatusGroup {
  /** `A` active, `E` enabled, `D` disabled (bypassed). */
  readonly state: "A" | "E" | "D";
  readonly paths: readonly MpathStatusPath[];
}

/** What a multipath INFO status line says (`dmsetup status`, dm-mpath's `multipath_status`). */
export interface MpathStatus {
  /** MPATHF_QUEUE_IO: I/O is held (pg_init in progress). */
  readonly queueIo: boolean;
  readonly pgInitCount: number;
  /** 1-based number of the group in use (or next to use). */
  readonly currentGroup: number;
  readonly groups: readonly MpathStatusGroup[];
}

/**
 * Parses the params of a multipath INFO status line:
 * `2 <queue_io> <pg_init_count> <#hw> … <#pg> <pg> {<state> <#ps> … <#paths> <#info> {<dev> <A|F> <count> …}}`.
 * Null when the text is not one.
 */
export function parseMpathStatus(params: string): MpathStatus | null {
  const w = params.trim().split(/\s+/);
  let i = 0;
  const next = (): string | undefined => w[i++];
  const nextInt = (): number => {
    const v = Number(next());
    if (!Number.isInteger(v)) throw new RangeError("not a number");
    return v;
  };
  try {
    const nfeat = nextInt();
    const feats = w.slice(i, i + nfeat);
    i += nfeat;
    const nhw = nextInt();
    i += nhw;
    const npg = nextInt();
    const currentGroup = nextInt();
    const groups: MpathStatusGroup[] = [];
    for (let g = 0; g < npg; g++) {
      const state = next();
      if (state !== "A" && state !== "E" && state !== "D") return null;
      const nps = nextInt();
      i += nps;
      const npaths = nextInt();
      const ninfo = nextInt();
      const paths: MpathStatusPath[] = [];
      for (let p = 0; p < npaths; p++) {
        const dev = next()!;
        const af = next();
        const failCount = nextInt();
        i += ninfo;
        paths.push({ dev, active: af === "A", failCount });
      }
      groups.push({ state, paths });
    }
    return {
      queueIo: feats[0] === "1",
      pgInitCount: Number(feats[1] ?? 0),
      currentGroup,
      groups,
    };
  } catch {
    return null;
  }
}

/** What a TEST UNIT READY said about a path (multipath-tools' tur checker states). */
export type TurState = "up" | "ghost" | "down" | "pending";

/** The tur checker's reading of a TEST UNIT READY result (libmultipath checkers/tur.c). */
export function turState(r: ScsiResult): TurState {
  if (r.hostStatus !== 0) return "down";
  if (r.status === 0) return "up";
  if (r.status === 0x02 && r.sense) {
    const { key, asc, ascq } = r.sense;
    // UNIT ATTENTION: the device is there and answering.
    if (key === SenseKey.UNIT_ATTENTION) return "up";
    // NOT READY, LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE: a ghost path.
    if (key === SenseKey.NOT_READY && asc === 0x04 && ascq === 0x0b) return "ghost";
  }
  return "down";
}

/** One path the checker watches. */
export interface CheckedPath {
  /** `M:m` as the map's table names it. */
  readonly dev: string;
  /** The SCSI device behind the path (null: nothing to send TUR to, the path counts as down). */
  scsi(): ScsiDevice | null;
  /**
   * For a path without TEST UNIT READY (NVMe: multipath-tools' `none` checker with
   * `path_offline` reading the controller's `state`): its state now. Used instead of TUR.
   */
  state?(): TurState;
}

/** Something that happened to a path, as the checker saw it. */
export interface CheckerEvent {
  readonly tNs: number;
  readonly map: string;
  readonly message: string;
}

/**
 * A stand-in for multipathd's checker loop in scenarios that build maps from dm tables: every
 * `interval` it sends TEST UNIT READY to each path (the `tur` checker; an NVMe path's state
 * comes from its controller, as with the `none` checker), fails paths that are down and
 * reinstates paths that are up (ghost paths count as up, as multipathd keeps standby paths in
 * the map), and with `failback` switches back to group 1 once it has a usable path.
 * It does what multipathd does to a map in those cases, through the same dm messages; it does
 * not discover paths, compute priorities or reload tables — that is the daemon's job.
 */
export class PathChecker {
  readonly map: string;
  readonly events: CheckerEvent[] = [];
  readonly #clock: Clock;
  readonly #dm: DmControl;
  readonly #log: KernelLog;
  readonly #paths: readonly CheckedPath[];
  readonly #spec: CheckerSpec;
  readonly #state = new Map<string, TurState>();
  #timer = 0;
  #failbackTimer = 0;
  #stopped = false;

  constructor(
    clock: Clock,
    dm: DmControl,
    log: KernelLog,
    map: string,
    paths: readonly CheckedPath[],
    spec: CheckerSpec,
  ) {
    this.#clock = clock;
    this.#dm = dm;
    this.#log = log;
    this.map = map;
    this.#paths = paths;
    this.#spec = spec;
  }

  start(): void {
    this.#timer = this.#clock.schedule(this.#spec.intervalNs, () => this.#tick(), undefined);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#clock.cancel(this.#timer);
    if (this.#failbackTimer) this.#clock.cancel(this.#failbackTimer);
    this.#timer = this.#failbackTimer = 0;
  }

  #note(message: string): void {
    this.events.push({ tNs: this.#clock.now(), map: this.map, message });
  }

  #tick(): void {
    this.#timer = 0;
    if (this.#stopped) return;
    for (const p of this.#paths) {
      if (p.state) {
        const st = p.state();
        if (st !== "pending") this.#result(p, st);
        continue;
      }
      const sdev = p.scsi();
      if (!sdev) {
        this.#result(p, "down");
        continue;
      }
      if (this.#state.get(p.dev) === "pending") continue;
      this.#state.set(p.dev, "pending");
      sdev.execute({ cdb: testUnitReadyCdb(), direction: "none", timeoutMs: 30_000 }, (r) =>
        this.#result(p, turState(r)),
      );
    }
    this.#timer = this.#clock.schedule(this.#spec.intervalNs, () => this.#tick(), undefined);
  }

  #result(p: CheckedPath, st: TurState): void {
    this.#state.set(p.dev, st);
    if (this.#stopped) return;
    const status = this.#status();
    if (!status) return;
    const path = status.groups.flatMap((g) => g.paths).find((x) => x.dev === p.dev);
    if (!path) return;
    const usable = st === "up" || st === "ghost";
    if (usable && !path.active) {
      if (this.#message(`reinstate_path ${p.dev}`)) this.#note(`${p.dev}: reinstated (tur ${st})`);
    } else if (!usable && path.active) {
      if (this.#message(`fail_path ${p.dev}`)) this.#note(`${p.dev}: failed (tur ${st})`);
    }
    this.#maybeFailback();
  }

  #status() {
    const r = this.#dm.status(this.map);
    if (!r.ok) return null;
    const line = r.value.lines.find((l) => l.type === "multipath");
    return line ? parseMpathStatus(line.params) : null;
  }

  #message(text: string): boolean {
    const r = this.#dm.message(this.map, 0, text);
    if (!r.ok) this.#log.warn(`mp-sim checker: ${this.map}: message "${text}" failed: errno ${r.errno}`);
    return r.ok;
  }

  /** multipathd's `need_switch_pathgroup()` + `switch_pathgroup()` with group 1 as the best. */
  #maybeFailback(): void {
    const fb = this.#spec.failback;
    if (fb === "manual") return;
    const s = this.#status();
    if (!s || s.groups.length < 2 || s.currentGroup === 1) return;
    if (!s.groups[0]!.paths.some((p) => p.active)) return;
    if (fb === "immediate") {
      if (this.#message("switch_group 1")) this.#note("failback to group 1");
      return;
    }
    if (this.#failbackTimer !== 0) return;
    this.#failbackTimer = this.#clock.schedule(
      fb,
      () => {
        this.#failbackTimer = 0;
        const now = this.#status();
        if (now && now.currentGroup !== 1 && now.groups[0]!.paths.some((p) => p.active))
          if (this.#message("switch_group 1")) this.#note("failback to group 1 (deferred)");
      },
      undefined,
    );
  }
}
