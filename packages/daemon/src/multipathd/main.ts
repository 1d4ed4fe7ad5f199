/**
 * multipathd (multipathd/main.c, 0.9.4): the daemon's state and the operations its threads
 * share — configuring and reconfiguring, adding and removing paths and maps (from uevents, dm
 * events and the CLI), re-reading maps from the kernel — over one host.
 *
 * The threads of the C daemon (configuration loop, checker loop, uevent dispatcher, dm event
 * waiter, socket listener) are async tasks here; they take {@link MultipathDaemon.lock} (the
 * C `vecs->lock`) around anything that touches the path and map lists. All timing comes from the
 * host's clock.
 */

import type { CheckerRegistry, PrioritizerRegistry } from "@mp/checkers";
import { createRng, type Host, NSEC_PER_SEC, type Rng, type UdevEvent } from "@mp/dm-core";
import { filterDevnode, filterPath, filterWwid } from "../config/blacklist.js";
import { findMpe, loadConfig } from "../config/config.js";
import type { Config } from "../config/structs.js";
import { checkAliasSettings } from "../libmultipath/alias.js";
import { aluaProbes, checkerFactory, prioritizerFactory } from "../libmultipath/checkers.js";
import {
  coalescePaths,
  domap,
  pathIdentity,
  reinstatePaths,
  selectAction,
  setupMap,
  triggerPathUdevChange,
} from "../libmultipath/configure.js";
import {
  confCheckint,
  createLibmpContext,
  initVersions,
  type LibmpContext,
  setContextConfig,
} from "../libmultipath/context.js";
import { type CpuProfile, cpuCosts, spendCpu } from "../libmultipath/cpu.js";
import {
  DI,
  Dmp,
  Domap,
  ForceReload,
  MpathCmd,
  PathinfoResult,
  RemovePath,
  Ynu,
} from "../libmultipath/defaults.js";
import {
  dmCancelDeferredRemove,
  dmEnablegroup,
  dmFailPath,
  dmFlushMap,
  dmFlushMapNopaths,
  dmGetInfo,
  dmGetMaps,
  dmGetUuid,
  dmIsMpath,
  dmMapname,
  dmMapPresent,
  dmQueueIfNoPath,
  dmReinstatePath,
  dmSwitchgroup,
  LibmpExit,
  libmpDm,
} from "../libmultipath/devmapper.js";
import {
  allocPathWithPathinfo,
  freePath,
  getUid,
  pathDiscovery,
  pathinfo,
  pathinfoNoIo,
  sysfsPathinfo,
} from "../libmultipath/discovery.js";
import { EventHub } from "../libmultipath/events.js";
import { initForeign, setMaxFds } from "../libmultipath/foreign.js";
import { Logger, LogRing, type LogSink } from "../libmultipath/log.js";
import { setPathWwid } from "../libmultipath/path-index.js";
import { allocMultipath, type MpMap, type MpPath, mapName } from "../libmultipath/structs.js";
import {
  addMapWithPath,
  adoptPaths,
  orphanPath,
  removeMap,
  setNoPathRetry,
  setPathRemoved,
  syncMapState,
  updateMppPaths,
  updateMultipathStrings,
  updateMultipathTableSync,
  updateQueueModeAddPath,
  updateQueueModeDelPath,
  verifyPaths,
} from "../libmultipath/structs-vec.js";
import { scsiDeviceParent, sysfsGetRo } from "../libmultipath/sysfs.js";
import { getVpdSgio } from "../libmultipath/vpd.js";
import { rememberWwid, shouldMultipath } from "../libmultipath/wwids.js";
import type { DaemonRunState } from "../print/status.js";
import { checkerStateName, DmPathState, PathState } from "../structs/path-state.js";
import { InitState, MapAction, NoPathRetry, TPGS_UNDEF, WWID_SIZE } from "../structs/structs.js";
import { countActivePaths, findMpByMinor, findMpByWwid, pathcount } from "../structs/structs-vec.js";
import { checkerloop } from "./checkerloop.js";
import {
  INITIAL_RUN_STATE,
  type RunEvent,
  type RunState,
  runStateTransition,
  wantsConfigure,
} from "./daemon-state.js";
import { AsyncLock } from "./lock.js";
import {
  prepareUevents,
  toUevent,
  type Uevent,
  ueventEnv,
  ueventGetDiskRo,
  ueventIsMpath,
} from "./uevent.js";

/** multipathd's version string (`multipathd v0.9.4: start up`). */
export const MULTIPATHD_VERSION = "0.9.4";

/** Everything a daemon instance needs. */
export interface MultipathDaemonOptions {
  readonly host: Host;
  /** Checker classes (default: multipath-tools 0.9.4's, a fresh registry per daemon). */
  readonly checkers?: CheckerRegistry;
  /** Prioritizers (default: multipath-tools 0.9.4's). */
  readonly prioritizers?: PrioritizerRegistry;
  /** Randomness (the `random` prioritizer); default seeded from the pid. */
  readonly rng?: Rng;
  /** `daemon_pid`. */
  readonly pid?: number;
  /** `-v N`: overrides the configuration's verbosity. */
  readonly verbosity?: number | null;
  /** `-B`. */
  readonly bindingsReadOnly?: boolean;
  /** `-w` turns this off: use per-map waiters instead of polling dm events (same behaviour here). */
  readonly pollDmevents?: boolean;
  /** Extra log sinks (the journal always records). */
  readonly logSink?: LogSink;
  /** The configuration file (default `/etc/multipath.conf`). */
  readonly configFile?: string;
  /** What its work costs in virtual time (default: the kernel lab's, see cpu.ts). */
  readonly cpu?: CpuProfile;
}

/** `struct vectors`. */
export interface Vecs {
  pathvec: MpPath[];
  mpvec: MpMap[];
}

/** A multipathd instance. */
export class MultipathDaemon {
  readonly host: Host;
  readonly log: Logger;
  readonly journal = new LogRing();
  readonly events = new EventHub();
  readonly lock = new AsyncLock();
  readonly vecs: Vecs = { pathvec: [], mpvec: [] };
  readonly pid: number;
  /** Set once the configuration is loaded. */
  ctx!: LibmpContext;
  run: RunState = INITIAL_RUN_STATE;
  /** The socket accepts commands (after the first configuration pass). */
  listening = false;
  /** `queue_without_daemon` as changed by `forcequeueing daemon` (null: the configuration's). */
  queueWithoutDaemonForced = false;
  readonly #opts: MultipathDaemonOptions;
  readonly #stateWaiters: (() => void)[] = [];
  readonly #uevq: Uevent[] = [];
  #servicingUev = false;
  #uevLoopRunning = false;
  /** dm event numbers of watched maps (`watch_dmevents`). */
  readonly watched = new WatchedMaps();
  #dmEventPending = false;
  readonly #unsubs: (() => void)[] = [];
  #exitCode: number | null = null;
  #resolveExit!: (code: number) => void;
  /** Resolves with the exit status when the daemon has shut down. */
  readonly exited: Promise<number>;
  #checkerTimer = 0;

  constructor(opts: MultipathDaemonOptions) {
    this.#opts = opts;
    this.host = opts.host;
    this.pid = opts.pid ?? 1;
    this.log = new Logger(opts.host.clock, opts.verbosity ?? 2, this.journal.sink);
    if (opts.logSink) this.log.addSink(opts.logSink);
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  get clock() {
    return this.host.clock;
  }

  /* ----------------------------------------------------------------------------------------------
   * Run state
   */

  /** `daemon_status()`. */
  daemonState(): DaemonRunState {
    return this.run.state;
  }

  #runEvent(e: RunEvent): void {
    const [s, fx] = runStateTransition(this.run, e);
    this.run = s;
    for (const f of fx) {
      this.log.log(4, `daemon state ${f.from} -> ${f.to}`);
      if (this.events.active)
        this.events.emit({ kind: "daemon-state", timeNs: this.clock.now(), state: f.to });
    }
    if (fx.length > 0 || e.kind === "schedule-reconfigure" || e.kind === "unblock") this.#wakeStateWaiters();
  }

  #wakeStateWaiters(): void {
    const w = this.#stateWaiters.splice(0);
    for (const fn of w) fn();
  }

  /** Resolves at the next state change (or reconfigure request). */
  #stateChanged(): Promise<void> {
    return new Promise((resolve) => this.#stateWaiters.push(resolve));
  }

  /** `post_config_state`. */
  postConfigState(state: DaemonRunState): void {
    this.#runEvent({ kind: "post", state });
  }

  /** `schedule_reconfigure`. */
  scheduleReconfigure(type: ForceReload): void {
    this.#runEvent({ kind: "schedule-reconfigure", type });
  }

  /** `exit_daemon`. */
  exitDaemon(): void {
    this.postConfigState("shutdown");
  }

  /** `should_exit`. */
  shouldExit(): boolean {
    return this.run.state === "shutdown";
  }

  /** `unblock_reconfigure`: true when a delayed reconfigure was released. */
  unblockReconfigure(): boolean {
    const was = this.run.delayed;
    this.#runEvent({ kind: "unblock" });
    if (was) this.log.log(3, "unblocked delayed reconfigure");
    return was;
  }

  /** `remove_map_callback`. */
  readonly onRemoveMap = (mpp: MpMap): void => {
    if (mpp.waitForUdev > 0) this.unblockReconfigure();
  };

  /** Waits until the state is idle/running/shutdown (what the uevent dispatcher and checker wait for). */
  async waitOperational(): Promise<DaemonRunState> {
    while (this.run.state !== "idle" && this.run.state !== "running" && this.run.state !== "shutdown")
      await this.#stateChanged();
    return this.run.state;
  }

  /** `set_config_state(DAEMON_RUNNING)` for the checker loop. */
  async enterRunning(): Promise<DaemonRunState> {
    while (this.run.state !== "running" && this.run.state !== "shutdown" && this.run.state !== "idle")
      await this.#stateChanged();
    this.#runEvent({ kind: "checker-start" });
    return this.run.state;
  }

  /** Sleeps `ns` of virtual time. */
  sleep(ns: number): Promise<void> {
    return new Promise((resolve) => {
      this.#checkerTimer = this.clock.schedule(ns, resolve, undefined);
    });
  }

  /* ----------------------------------------------------------------------------------------------
   * Startup and shutdown (`child()`)
   */

  /** `load_config`: the configuration, with its messages logged; null when it cannot be used. */
  loadConfig(): Config | null {
    const r = loadConfig({
      files: this.host.files,
      verbosity: this.log.verbosity,
      ...(this.#opts.configFile === undefined ? {} : { configFile: this.#opts.configFile }),
      ...(this.ctx === undefined ? {} : { once: this.ctx.once }),
    });
    for (const d of r.diagnostics) this.log.log(d.level, d.message);
    if (!r.ok) return null;
    return r.config;
  }

  #applyVerbosity(conf: Config): void {
    this.log.verbosity = this.#opts.verbosity ?? conf.verbosity;
  }

  /**
   * Starts the daemon (`child()`): loads the configuration, starts listening, the uevent and dm
   * event listeners, the checker loop, and runs the first configuration. Resolves once the
   * initial configuration is done (the socket answers from then on) or the daemon gave up.
   */
  async start(): Promise<void> {
    this.postConfigState("startup");
    this.log.log(2, `multipathd v${MULTIPATHD_VERSION}: start up`);
    this.log.log(3, "read /etc/multipath.conf");
    const conf = this.loadConfig();
    if (conf === null) {
      this.log.log(0, "failed to load configuration");
      this.#finish(1);
      return;
    }
    this.#applyVerbosity(conf);
    this.ctx = createLibmpContext({
      host: this.host,
      log: this.log,
      config: conf,
      checkers: checkerFactory(this.host, this.log, this.#opts.checkers),
      prioritizers: prioritizerFactory(
        this.host,
        this.log,
        this.#opts.rng ?? createRng(`multipathd-${this.pid}`),
        this.#opts.prioritizers,
      ),
      alua: aluaProbes(this.host, this.log),
      isDaemon: true,
      bindingsReadOnly: this.#opts.bindingsReadOnly ?? false,
      events: this.events,
      cpu: cpuCosts(this.#opts.cpu),
    });
    const ctx = this.ctx;
    if (ctx.checkers.init?.() === false) {
      this.log.log(0, "failed to initialize checkers");
      this.#finish(1);
      return;
    }
    if (ctx.prioritizers.init?.() === false) {
      this.log.log(0, "failed to initialize prioritizers");
      this.#finish(1);
      return;
    }
    initForeign(ctx, conf.enableForeign);
    // dmevent_poll_supported asks for the dm driver's version.
    if (this.#opts.pollDmevents !== false) initVersions(ctx);
    setMaxFds(ctx, conf.maxFds);
    try {
      libmpDm(ctx);
    } catch (err) {
      if (!(err instanceof LibmpExit)) throw err;
      this.#finish(err.status);
      return;
    }
    // The listener thread is up: the main loop may configure.
    this.postConfigState("configure");
    this.#unsubs.push(this.host.dm.onEvent(() => this.#onDmEvent()));
    this.#unsubs.push(
      this.host.udev.subscribe((e) => {
        if (e.device.subsystem === "block" && e.device.devtype === "disk") this.#queueUevent(e);
      }),
    );
    void this.#checkerLoop();
    const first = this.#mainLoop();
    // The socket answers once the first configuration pass is over.
    while (this.run.state === "configure" || this.run.state === "startup") await this.#stateChanged();
    this.listening = this.run.state !== "shutdown";
    void first;
  }

  /** The main loop of `child()`: configuration passes until shutdown. */
  async #mainLoop(): Promise<void> {
    for (;;) {
      while (!wantsConfigure(this.run) && this.run.state !== "shutdown") await this.#stateChanged();
      if (this.run.state === "shutdown") break;
      if (this.run.state !== "configure") this.postConfigState("configure");
      let rc = 0;
      await this.lock.run(async () => {
        if (!this.needToDelayReconfig()) {
          const type = this.run.pending === ForceReload.YES ? ForceReload.YES : ForceReload.WEAK;
          this.#runEvent({ kind: "take-reconfigure", delay: false });
          rc = await this.reconfigure(type);
        } else {
          this.#runEvent({ kind: "take-reconfigure", delay: true });
          this.log.log(3, "delaying reconfigure()");
        }
      });
      if (rc === 0) this.postConfigState("idle");
      else {
        this.log.log(0, "fatal error applying configuration - aborting");
        this.exitDaemon();
      }
    }
    this.log.log(2, "multipathd: shut down");
    this.#cleanup();
    this.#finish(0);
  }

  #finish(code: number): void {
    if (this.#exitCode !== null) return;
    this.#exitCode = code;
    this.listening = false;
    // libmultipath_exit.
    this.ctx?.checkers.cleanup?.();
    this.ctx?.prioritizers.cleanup?.();
    this.postConfigState("shutdown");
    for (const u of this.#unsubs.splice(0)) u();
    if (this.#checkerTimer) this.clock.cancel(this.#checkerTimer);
    this.#resolveExit(code);
  }

  /** `cleanup_maps` + `cleanup_paths`: queueing off unless queue_without_daemon, lists freed. */
  #cleanup(): void {
    const q = this.queueWithoutDaemonForced ? "forced" : this.ctx.config.queueWithoutDaemon;
    if (q === "no") {
      for (const mpp of this.vecs.mpvec) {
        dmQueueIfNoPath(this.ctx, mapName(mpp), false);
        if (this.events.active)
          this.events.emit({
            kind: "queueing",
            timeNs: this.clock.now(),
            map: mapName(mpp),
            enabled: false,
            reason: "shutdown",
          });
      }
    }
    for (const mpp of [...this.vecs.mpvec]) removeMap(this.ctx, mpp, this.vecs.pathvec, this.vecs.mpvec);
    this.watched.clear();
    for (const pp of this.vecs.pathvec) freePath(pp);
    this.vecs.pathvec = [];
  }

  /** Stops the daemon (`shutdown`, SIGTERM) and waits for it to exit. */
  async stop(): Promise<number> {
    this.exitDaemon();
    this.#wakeStateWaiters();
    if (this.#checkerTimer) {
      this.clock.cancel(this.#checkerTimer);
      this.#checkerTimer = 0;
      this.#wakeStateWaiters();
    }
    return this.exited;
  }

  /* ----------------------------------------------------------------------------------------------
   * Configuration
   */

  /** `need_to_delay_reconfig`: a map still waits for its creation uevent. */
  needToDelayReconfig(): boolean {
    return this.vecs.mpvec.some((mpp) => mpp.waitForUdev > 0);
  }

  /** `reconfigure()`: reload the configuration and rebuild everything. 0 on success. */
  async reconfigure(type: ForceReload): Promise<number> {
    const conf = this.loadConfig();
    if (conf === null) return 1;
    this.#applyVerbosity(conf);
    this.log.log(2, "reconfigure: setting up paths and maps");
    this.removeMapsAndStopWaiters();
    for (const pp of this.vecs.pathvec) freePath(pp);
    this.vecs.pathvec = [];
    if (this.#opts.bindingsReadOnly) this.ctx.bindingsReadOnly = true;
    const old = this.ctx.config;
    // uid_attrs cannot change without a restart.
    if (old.uidAttrs.join("\u0000") !== conf.uidAttrs.join("\u0000")) {
      this.log.log(1, "multipathd must be restarted to change uid_attrs, keeping old values");
      conf.uidAttrs = old.uidAttrs;
    }
    setContextConfig(this.ctx, conf);
    if (!checkAliasSettings(this.ctx)) return 1;
    await this.configure(type);
    return 0;
  }

  /** `remove_maps_and_stop_waiters`. */
  removeMapsAndStopWaiters(): void {
    this.watched.clear();
    for (const mpp of [...this.vecs.mpvec])
      removeMap(this.ctx, mpp, this.vecs.pathvec, this.vecs.mpvec, this.onRemoveMap);
    this.vecs.mpvec = [];
  }

  /** `configure()`: discover paths and maps, coalesce, reconcile with the kernel. */
  async configure(type: ForceReload): Promise<number> {
    const ctx = this.ctx;
    const vecs = this.vecs;
    const ret = await pathDiscovery(ctx, vecs.pathvec, DI.ALL);
    if (ret < 0) {
      this.log.log(0, "configure failed at path discovery");
      return 1;
    }
    if (this.shouldExit()) return 1;
    for (let i = 0; i < vecs.pathvec.length; i++) {
      const pp = vecs.pathvec[i]!;
      if (filterPath(ctx.config, pathIdentity(pp), ctx.configLog) > 0) {
        vecs.pathvec.splice(i--, 1);
        freePath(pp);
      }
    }
    if (!this.mapDiscovery()) {
      this.log.log(0, "configure failed at map discovery");
      return 1;
    }
    if (this.shouldExit()) return 1;
    const mpvec: MpMap[] = [];
    if ((await coalescePaths(ctx, vecs, mpvec, null, type, MpathCmd.NONE)) !== 0) {
      this.log.log(0, "configure failed while coalescing paths");
      return 1;
    }
    if (this.shouldExit()) return 1;
    await this.coalesceMaps(mpvec);
    if (this.shouldExit()) return 1;
    for (const mpp of mpvec) syncMapState(ctx, mpp);
    for (const mpp of mpvec) {
      if (rememberWwid(ctx, mpp.wwid) === 1)
        for (const pg of mpp.pg) for (const pp of pg.paths) triggerPathUdevChange(ctx, pp, true);
    }
    // remove_maps: the old list is replaced by the new maps.
    for (const mpp of [...vecs.mpvec]) removeMap(ctx, mpp, vecs.pathvec, vecs.mpvec, this.onRemoveMap);
    vecs.mpvec = mpvec;
    for (let i = 0; i < vecs.mpvec.length; i++) {
      const mpp = vecs.mpvec[i]!;
      this.waitForEvents(mpp);
      if (this.setupMultipath(mpp)) i--;
    }
    return 0;
  }

  /** `map_discovery`: the multipath maps in the kernel, read into `mpvec`. */
  mapDiscovery(): boolean {
    const ctx = this.ctx;
    this.vecs.mpvec = dmGetMaps(ctx);
    for (let i = 0; i < this.vecs.mpvec.length; i++) {
      const mpp = this.vecs.mpvec[i]!;
      if (updateMultipathTableSync(ctx, mpp, this.vecs.pathvec, 0) !== Dmp.OK) {
        removeMap(ctx, mpp, this.vecs.pathvec, this.vecs.mpvec, this.onRemoveMap);
        i--;
      }
    }
    return true;
  }

  /** `coalesce_maps`: kernel maps no longer wanted are flushed (kept when in use). */
  async coalesceMaps(nmpv: MpMap[]): Promise<void> {
    const ctx = this.ctx;
    const ompv = this.vecs.mpvec;
    for (let i = 0; i < ompv.length; i++) {
      const ompp = ompv[i]!;
      this.log.log(3, `${mapName(ompp)}: coalesce map`);
      if (findMpByWwid(nmpv, ompp.wwid) === null) {
        if (await dmFlushMap(ctx, mapName(ompp))) {
          this.log.log(0, `${mapName(ompp)}: unable to flush devmap`);
          if (this.setupMultipath(ompp)) {
            i--;
            continue;
          }
          nmpv.push(ompp);
          ompv.splice(i--, 1);
        } else {
          this.log.log(2, `${mapName(ompp)} devmap removed`);
          if (this.events.active)
            this.events.emit({
              kind: "map",
              timeNs: this.clock.now(),
              action: "remove",
              map: mapName(ompp),
              wwid: ompp.wwid,
            });
        }
      } else if (ctx.config.reassignMaps) {
        this.log.log(3, `${mapName(ompp)}: Reassign existing device-mapper devices`);
      }
    }
  }

  /* ----------------------------------------------------------------------------------------------
   * Maps
   */

  /** `wait_for_events` (`watch_dmevents`): follow the map's dm events. */
  waitForEvents(mpp: MpMap): void {
    const name = mapName(mpp);
    const info = this.host.dm.info(name);
    this.watched.set(name, info.ok ? info.value.eventNr : 0);
    mpp.watched = true;
  }

  /** `remove_map_and_stop_waiter`. */
  removeMapAndStopWaiter(mpp: MpMap): void {
    this.log.log(3, `${mapName(mpp)}: removing map from internal tables`);
    this.watched.delete(mapName(mpp));
    removeMap(this.ctx, mpp, this.vecs.pathvec, this.vecs.mpvec, this.onRemoveMap);
  }

  /** `__setup_multipath` (`setup_multipath` with reset): 0, or 1 after removing the map. */
  setupMultipath(mpp: MpMap, reset = true): number {
    const ctx = this.ctx;
    const info = dmGetInfo(ctx, mapName(mpp));
    if (info === null) {
      this.log.log(2, `${mapName(mpp)}: cannot access table`);
      this.removeMapAndStopWaiter(mpp);
      return 1;
    }
    mpp.dmi = info;
    if (updateMultipathStrings(ctx, mpp, this.vecs.pathvec) !== Dmp.OK) {
      this.log.log(0, `${mapName(mpp)}: failed to setup multipath`);
      this.removeMapAndStopWaiter(mpp);
      return 1;
    }
    if (reset) {
      setNoPathRetry(ctx, mpp);
      if (mpp.paths.length !== 0) dmCancelDeferredRemove(ctx, mpp);
    }
    return 0;
  }

  /**
   * `update_multipath(vecs, mapname, reset)`: re-read a map from the kernel; paths dm failed are
   * marked down. 0, 1 (the map was removed) or 2 (unknown map).
   */
  updateMultipath(name: string, reset: boolean): number {
    const mpp = this.ctx.aliasIndex.byAlias(this.vecs.mpvec, name);
    if (mpp === null) {
      this.log.log(3, `${name}: multipath map not found`);
      return 2;
    }
    if (this.setupMultipath(mpp, reset)) return 1;
    const checkint = confCheckint(this.ctx);
    for (const pg of mpp.pg) {
      for (const pp of pg.paths) {
        if (pp.dmstate !== DmPathState.FAILED) continue;
        if (pp.state !== PathState.DOWN) {
          const oldstate = pp.state;
          this.log.log(2, `${pp.dev}: mark as failed`);
          mpp.statPathFailures++;
          pp.state = PathState.DOWN;
          if (oldstate === PathState.UP || oldstate === PathState.GHOST)
            updateQueueModeDelPath(this.ctx, mpp);
          if (pp.tick > checkint) pp.tick = checkint;
          this.#emitPathState(pp, oldstate, PathState.DOWN);
        }
      }
    }
    return 0;
  }

  #emitPathState(pp: MpPath, from: number, to: number): void {
    if (!this.events.active) return;
    this.events.emit({
      kind: "path-state",
      timeNs: this.clock.now(),
      dev: pp.dev,
      map: pp.mpp === null ? null : mapName(pp.mpp),
      from: checkerStateName(from),
      to: checkerStateName(to),
    });
  }

  /** Emits a path-state event (for the checker loop). */
  emitPathState(pp: MpPath, from: number, to: number): void {
    this.#emitPathState(pp, from, to);
  }

  /** `flush_map`: removes the map from the kernel and the lists; 0, 1 (failed), 2 (deferred). */
  async flushMap(mpp: MpMap, nopaths: boolean): Promise<number> {
    const ctx = this.ctx;
    const name = mapName(mpp);
    const r = nopaths ? await dmFlushMapNopaths(ctx, name, mpp.deferredRemove) : await dmFlushMap(ctx, name);
    if (r) {
      if (r === 1) this.log.log(0, `${name}: can't flush`);
      else {
        this.log.log(2, `${name}: devmap deferred remove`);
        mpp.deferredRemove = 3;
      }
      return r;
    }
    this.log.log(2, `${name}: map flushed`);
    if (this.events.active)
      this.events.emit({ kind: "map", timeNs: this.clock.now(), action: "flush", map: name, wwid: mpp.wwid });
    this.removeMapAndStopWaiter(mpp);
    return 0;
  }

  /** `flush_map_nopaths`: the last path went away. True when the map was removed. */
  async flushMapNopaths(mpp: MpMap): Promise<boolean> {
    const alias = mapName(mpp);
    if (mpp.flushOnLastDel === Ynu.ON) {
      this.log.log(2, `${alias} Last path deleted, disabling queueing`);
      mpp.retryTick = 0;
      mpp.noPathRetry = NoPathRetry.FAIL;
      mpp.disableQueueing = true;
      mpp.statMapFailures++;
      dmQueueIfNoPath(this.ctx, alias, false);
      if (this.events.active)
        this.events.emit({
          kind: "queueing",
          timeNs: this.clock.now(),
          map: alias,
          enabled: false,
          reason: "last-path-removed",
        });
    }
    if (!(await this.flushMap(mpp, true))) {
      this.log.log(2, `${alias}: removed map after removing all paths`);
      return true;
    }
    return false;
  }

  /** `update_map`: adopt paths, reload, re-read. 0, or 1 when the map was removed. */
  async updateMap(mpp: MpMap, newMap: boolean): Promise<number> {
    const ctx = this.ctx;
    let retries = 3;
    for (;;) {
      this.log.log(4, `${mapName(mpp)}: updating new map`);
      if (!(await adoptPaths(ctx, this.vecs.pathvec, mpp))) {
        this.log.log(0, `${mapName(mpp)}: failed to adopt paths for new map update`);
        retries = -1;
        break;
      }
      verifyPaths(ctx, mpp);
      if (mpp.paths.length === 0 && (await this.flushMapNopaths(mpp))) return 1;
      mpp.action = MapAction.RELOAD;
      const params = await setupMap(ctx, mpp, this.vecs);
      if (params === null) {
        this.log.log(0, `${mapName(mpp)}: failed to setup new map in update`);
        retries = -1;
        break;
      }
      if ((await domap(ctx, mpp, params, true)) === Domap.FAIL && retries-- > 0) {
        this.log.log(0, `${mapName(mpp)}: map_udate sleep`);
        await this.sleep(NSEC_PER_SEC);
        continue;
      }
      break;
    }
    if (newMap && retries < 0) {
      this.log.log(0, `${mapName(mpp)}: failed to create new map`);
      removeMap(ctx, mpp, this.vecs.pathvec, this.vecs.mpvec, this.onRemoveMap);
      return 1;
    }
    if (newMap) this.waitForEvents(mpp);
    if (this.setupMultipath(mpp)) return 1;
    syncMapState(ctx, mpp);
    if (retries < 0) this.log.log(0, `${mapName(mpp)}: failed reload in new map update`);
    return 0;
  }

  /** `add_map_without_path`: registers a map that exists in the kernel. */
  async addMapWithoutPath(alias: string): Promise<MpMap | null> {
    const ctx = this.ctx;
    const mpp = allocMultipath({ alias });
    const info = dmGetInfo(ctx, alias);
    if (info === null) {
      this.log.log(3, `${alias}: cannot access table`);
      return null;
    }
    mpp.dmi = info;
    if (mpp.wwid.length === 0) mpp.wwid = dmGetUuid(ctx, alias) ?? "";
    if (mpp.wwid.length === 0) this.log.log(1, `${alias}: adding map with empty WWID`);
    mpp.mpe = findMpe(ctx.config, mpp.wwid);
    if (updateMultipathTableSync(ctx, mpp, this.vecs.pathvec, 0) !== Dmp.OK) {
      removeMap(ctx, mpp, this.vecs.pathvec, null, this.onRemoveMap);
      return null;
    }
    this.vecs.mpvec.push(mpp);
    if ((await this.updateMap(mpp, true)) !== 0) return null;
    return mpp;
  }

  /** `ev_add_map`: a multipath map appeared or changed in the kernel. */
  async evAddMap(dev: string, alias: string): Promise<number> {
    const ctx = this.ctx;
    if (dmIsMpath(ctx, alias) !== 1) {
      this.log.log(4, `${alias}: not a multipath map`);
      return 0;
    }
    let mpp = this.ctx.aliasIndex.byAlias(this.vecs.mpvec, alias);
    if (mpp !== null) {
      if (mpp.waitForUdev > 1) {
        this.log.log(2, `${mapName(mpp)}: performing delayed actions`);
        if (await this.updateMap(mpp, false)) return 1;
      }
      const info = dmGetInfo(ctx, mapName(mpp));
      if (info !== null) mpp.dmi = info;
      if (mpp.waitForUdev) {
        mpp.waitForUdev = 0;
        if (!this.needToDelayReconfig() && this.unblockReconfigure()) return 0;
      }
      if (ctx.config.reassignMaps) this.log.log(3, `${alias}: Reassign existing device-mapper devices`);
      return 0;
    }
    this.log.log(2, `${alias}: adding map`);
    mpp = await this.addMapWithoutPath(alias);
    if (mpp !== null) {
      syncMapState(ctx, mpp);
      this.log.log(2, `${alias}: devmap ${dev} registered`);
      return 0;
    }
    this.log.log(2, `${dev}: ev_add_map failed`);
    return 1;
  }

  /** `ev_remove_map` (CLI `del map`). */
  evRemoveMap(devname: string, alias: string, minor: number): Promise<number> {
    const mpp = findMpByMinor(this.vecs.mpvec, minor) as MpMap | null;
    if (mpp === null) {
      this.log.log(2, `${devname}: devmap not registered, can't remove`);
      return Promise.resolve(1);
    }
    if (mapName(mpp) !== alias) {
      this.log.log(2, `${mapName(mpp)}: minor number mismatch (map ${mpp.dmi?.minor ?? 0}, event ${minor})`);
      return Promise.resolve(1);
    }
    return this.flushMap(mpp, false);
  }

  /** `mpvec_garbage_collector`: maps gone from the kernel are dropped. */
  mpvecGarbageCollector(): void {
    for (const mpp of [...this.vecs.mpvec]) {
      if (mpp.alias !== null && !dmMapPresent(this.ctx, mpp.alias)) {
        this.log.log(2, `${mpp.alias}: remove dead map`);
        this.removeMapAndStopWaiter(mpp);
      }
    }
  }

  /* ----------------------------------------------------------------------------------------------
   * Paths
   */

  /** `ev_add_path`: a path joins (or creates) its map. 0 added, 1 error. */
  async evAddPath(pp: MpPath, needDoMap: boolean): Promise<number> {
    const ctx = this.ctx;
    const vecs = this.vecs;
    if (pp.wwid.length === 0) {
      this.log.log(0, `${pp.dev}: failed to get path uid`);
      orphanPath(ctx, pp, "failed to add path");
      return 1;
    }
    let mpp = ctx.mapIndex.byWwid(vecs.mpvec, pp.wwid);
    if (mpp !== null && pp.size && mpp.size !== pp.size) {
      this.log.log(0, `${mapName(mpp)}: failed to add new path ${pp.dev}, device size mismatch`);
      const i = vecs.pathvec.indexOf(pp);
      if (i >= 0) vecs.pathvec.splice(i, 1);
      freePath(pp);
      return 1;
    }
    if (mpp !== null) triggerPathUdevChange(ctx, pp, true);
    if (
      mpp?.waitForUdev &&
      (pathcount(mpp, PathState.UP) > 0 ||
        (pathcount(mpp, PathState.GHOST) > 0 && pp.tpgs !== 1 && mpp.ghostDelayTick <= 0))
    ) {
      this.log.log(3, `${pp.dev}: delaying path addition until ${mapName(mpp)} is fully initialized`);
      mpp.waitForUdev = 2;
      orphanPath(ctx, pp, "waiting for create to complete");
      return 0;
    }
    pp.mpp = mpp;
    let startWaiter = false;
    let retries = 3;
    const fail = (m: MpMap | null, removeIt: boolean): number => {
      if (removeIt && m !== null) removeMap(ctx, m, vecs.pathvec, vecs.mpvec, this.onRemoveMap);
      orphanPath(ctx, pp, "failed to add path");
      return 1;
    };
    for (;;) {
      if (mpp !== null) {
        this.log.log(4, `${mapName(mpp)}: adopting all paths for path ${pp.dev}`);
        if (!(await adoptPaths(ctx, vecs.pathvec, mpp)) || pp.mpp !== mpp || !mpp.paths.includes(pp))
          return fail(null, false);
        verifyPaths(ctx, mpp);
        mpp.action = MapAction.RELOAD;
      } else {
        if (!shouldMultipath(ctx, pp, vecs.pathvec, vecs.mpvec)) {
          orphanPath(ctx, pp, "only one path");
          return 0;
        }
        this.log.log(4, `${pp.dev}: creating new map`);
        mpp = await addMapWithPath(ctx, vecs, pp, true);
        if (mpp === null) return fail(null, false);
        mpp.action = MapAction.CREATE;
        startWaiter = true;
      }
      if (sysfsGetRo(this.host, pp.dev) === 1) mpp.forceReadonly = true;
      if (!needDoMap) return 0;
      if (!dmMapPresent(ctx, mapName(mpp))) {
        mpp.action = MapAction.CREATE;
        startWaiter = true;
      }
      const params = await setupMap(ctx, mpp, vecs);
      if (params === null) {
        this.log.log(0, `${mapName(mpp)}: failed to setup map for addition of new path ${pp.dev}`);
        return fail(mpp, true);
      }
      let ret = await domap(ctx, mpp, params, true);
      while (ret === Domap.RETRY && retries-- > 0) {
        this.log.log(0, `${mapName(mpp)}: retry domap for addition of new path ${pp.dev}`);
        await this.sleep(NSEC_PER_SEC);
        ret = await domap(ctx, mpp, params, true);
      }
      if (ret === Domap.FAIL || ret === Domap.RETRY) {
        this.log.log(0, `${mapName(mpp)}: failed in domap for addition of new path ${pp.dev}`);
        if (mpp.action === MapAction.RELOAD && retries-- > 0) {
          this.log.log(0, `${mapName(mpp)}: ev_add_path sleep`);
          await this.sleep(NSEC_PER_SEC);
          updateMppPaths(mpp, vecs.pathvec, (devt) => ctx.pathIndex.byDevt(vecs.pathvec, devt));
          continue;
        } else if (mpp.action === MapAction.RELOAD) this.log.log(0, `${mapName(mpp)}: giving up reload`);
        else return fail(mpp, true);
      }
      break;
    }
    const action = mpp.action as number;
    if (action === MapAction.CREATE || (action === MapAction.NOTHING && startWaiter && !mpp.watched))
      this.waitForEvents(mpp);
    if (this.setupMultipath(mpp)) return fail(null, false);
    syncMapState(ctx, mpp);
    if (retries >= 0) {
      this.log.log(2, `${pp.dev} [${pp.devT}]: path added to devmap ${mapName(mpp)}`);
      if (this.events.active)
        this.events.emit({ kind: "path-added", timeNs: this.clock.now(), dev: pp.dev, map: mapName(mpp) });
      return 0;
    }
    return fail(null, false);
  }

  /** `ev_remove_path`: a path leaves its map (the map is reloaded, or flushed when empty). */
  async evRemovePath(pp: MpPath, needDoMap: boolean): Promise<number> {
    const ctx = this.ctx;
    const vecs = this.vecs;
    const mpp = pp.mpp;
    if (this.events.active)
      this.events.emit({
        kind: "path-removed",
        timeNs: this.clock.now(),
        dev: pp.dev,
        map: mpp === null ? null : mapName(mpp),
      });
    if (mpp === null) {
      const i = vecs.pathvec.indexOf(pp);
      if (i >= 0) vecs.pathvec.splice(i, 1);
      freePath(pp);
      return RemovePath.SUCCESS;
    }
    setPathRemoved(ctx, pp);
    updateMppPaths(mpp, vecs.pathvec, (devt) => ctx.pathIndex.byDevt(vecs.pathvec, devt));
    const i = mpp.paths.indexOf(pp);
    if (i >= 0) mpp.paths.splice(i, 1);
    if (mpp.paths.length === 0 && (await this.flushMapNopaths(mpp))) return RemovePath.SUCCESS;
    const params = await setupMap(ctx, mpp, vecs);
    if (params === null) {
      this.log.log(0, `${mapName(mpp)}: failed to setup map for removal of path ${pp.dev}`);
      this.log.log(0, `${pp.dev}: error removing path. removing map ${mapName(mpp)}`);
      this.removeMapAndStopWaiter(mpp);
      return RemovePath.MAP_ERROR;
    }
    if (mpp.waitForUdev) {
      mpp.waitForUdev = 2;
      return RemovePath.DELAY;
    }
    if (!needDoMap) return RemovePath.DELAY;
    mpp.action = MapAction.RELOAD;
    if ((await domap(ctx, mpp, params, true)) === Domap.FAIL) {
      this.log.log(0, `${mapName(mpp)}: failed in domap for removal of path ${pp.dev}`);
      return RemovePath.FAILURE;
    }
    const devt = pp.devT;
    if (this.setupMultipath(mpp)) return RemovePath.MAP_ERROR;
    syncMapState(ctx, mpp);
    this.log.log(2, `${devt}: path removed from map ${mapName(mpp)}`);
    return RemovePath.SUCCESS;
  }

  /** `finish_path_init`: a partial path gets full pathinfo (or is removed). */
  async finishPathInit(pp: MpPath): Promise<number> {
    if ((await pathinfo(this.ctx, pp, DI.ALL | DI.BLACKLIST)) === PathinfoResult.OK) return 0;
    this.log.log(0, `${pp.dev}: error fully initializing path, removing`);
    await this.evRemovePath(pp, true);
    return -1;
  }

  /** `fail_path` (checker). */
  failPath(pp: MpPath, delActive: boolean): void {
    const mpp = pp.mpp;
    if (mpp === null) return;
    this.log.log(2, `checker failed path ${pp.devT} in map ${mapName(mpp)}`);
    dmFailPath(this.ctx, mapName(mpp), pp.devT);
    if (this.events.active)
      this.events.emit({
        kind: "path-dm",
        timeNs: this.clock.now(),
        map: mapName(mpp),
        dev: pp.dev,
        action: "fail",
      });
    if (delActive) updateQueueModeDelPath(this.ctx, mpp);
  }

  /** `reinstate_path` (checker). */
  reinstatePath(pp: MpPath): void {
    const mpp = pp.mpp;
    if (mpp === null) return;
    if (dmReinstatePath(this.ctx, mapName(mpp), pp.devT)) this.log.log(0, `${pp.devT}: reinstate failed`);
    else {
      this.log.log(2, `${pp.devT}: reinstated`);
      if (this.events.active)
        this.events.emit({
          kind: "path-dm",
          timeNs: this.clock.now(),
          map: mapName(mpp),
          dev: pp.dev,
          action: "reinstate",
        });
      updateQueueModeAddPath(this.ctx, mpp);
    }
  }

  /** `enable_group`: re-enable a disabled group that got an up path. */
  enableGroup(pp: MpPath): void {
    const mpp = pp.mpp;
    if (mpp === null || mpp.pg.length === 0 || !pp.pgindex) return;
    const pg = mpp.pg[pp.pgindex - 1];
    if (pg !== undefined && pg.status === 2 /* PGSTATE_DISABLED */) {
      this.log.log(2, `${mapName(mpp)}: enable group #${pp.pgindex}`);
      dmEnablegroup(this.ctx, mapName(mpp), pp.pgindex);
    }
  }

  /** `switch_pathgroup`. */
  switchPathgroup(mpp: MpMap): void {
    mpp.statSwitchgroup++;
    dmSwitchgroup(this.ctx, mapName(mpp), mpp.bestpg);
    this.log.log(2, `${mapName(mpp)}: switch to path group #${mpp.bestpg}`);
    if (this.events.active)
      this.events.emit({
        kind: "group-switch",
        timeNs: this.clock.now(),
        map: mapName(mpp),
        group: mpp.bestpg,
        reason: "failback",
      });
  }

  /** `reload_map`: re-select settings and reload (prio refreshed first when `refresh`). 0 on success. */
  async reloadMap(mpp: MpMap, refresh: boolean): Promise<number> {
    const ctx = this.ctx;
    updateMppPaths(mpp, this.vecs.pathvec, (devt) => this.ctx.pathIndex.byDevt(this.vecs.pathvec, devt));
    if (refresh) {
      for (const pp of [...mpp.paths]) {
        if ((await pathinfo(ctx, pp, DI.PRIO)) !== PathinfoResult.OK) {
          this.log.log(2, `${mapName(mpp)}: failed to refresh pathinfo`);
          return 1;
        }
      }
    }
    const params = await setupMap(ctx, mpp, this.vecs);
    if (params === null) {
      this.log.log(0, `${mapName(mpp)}: failed to setup map`);
      return 1;
    }
    selectAction(ctx, mpp, this.vecs.mpvec, true);
    const r = await domap(ctx, mpp, params, true);
    if (r === Domap.FAIL || r === Domap.RETRY) {
      this.log.log(3, `${mapName(mpp)}: domap (${r}) failure for reload map`);
      return 1;
    }
    return 0;
  }

  /** `reload_and_sync_map`: 0, 1 (reload failed), 2 (map removed). */
  async reloadAndSyncMap(mpp: MpMap, refresh: boolean): Promise<number> {
    if (await this.reloadMap(mpp, refresh)) return 1;
    if (this.setupMultipath(mpp) !== 0) return 2;
    syncMapState(this.ctx, mpp);
    return 0;
  }

  /* ----------------------------------------------------------------------------------------------
   * Uevents
   */

  #queueUevent(e: UdevEvent): void {
    this.#uevq.push(toUevent(e));
    if (!this.#uevLoopRunning) void this.#uevLoop();
  }

  /** `is_uevent_busy`. */
  ueventBusy(): boolean {
    return this.#uevq.length > 0 || this.#servicingUev;
  }

  async #uevLoop(): Promise<void> {
    this.#uevLoopRunning = true;
    try {
      while (this.#uevq.length > 0) {
        const state = await this.waitOperational();
        if (state === "shutdown") {
          this.#uevq.length = 0;
          break;
        }
        this.#servicingUev = true;
        const batch = prepareUevents(this.#uevq.splice(0), this.ctx.config);
        for (const uev of batch) {
          try {
            await spendCpu(this.clock, this.ctx.cpu.uevent);
            await this.uevTrigger(uev);
          } catch (err) {
            this.log.log(0, `uevent trigger error: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        this.#servicingUev = false;
      }
    } finally {
      this.#servicingUev = false;
      this.#uevLoopRunning = false;
    }
  }

  /** `uev_trigger`. */
  async uevTrigger(uev: Uevent): Promise<number> {
    const state = await this.waitOperational();
    if (state === "shutdown") return 0;
    let r = 0;
    if (uev.kernel.startsWith("dm-")) {
      if (!ueventIsMpath(uev)) return 0;
      if (uev.action === "change") r = await this.uevAddMap(uev);
      else if (uev.action === "remove") r = await this.uevRemoveMap(uev);
      return r;
    }
    for (const m of uev.merged) {
      if (m.action === "add") r += await this.uevAddPath(m, false);
      if (m.action === "remove") r += await this.uevRemovePath(m, false);
    }
    if (uev.action === "add") r += await this.uevAddPath(uev, true);
    if (uev.action === "remove") r += await this.uevRemovePath(uev, true);
    if (uev.action === "change") r += await this.uevUpdatePath(uev);
    return r;
  }

  async uevAddMap(uev: Uevent): Promise<number> {
    this.log.log(3, `${uev.kernel}: add map (uevent)`);
    let alias: string | null = ueventEnv(uev, "DM_NAME") ?? null;
    if (alias === null) {
      this.log.log(3, `${uev.kernel}: No DM_NAME in uevent`);
      const major = Number(ueventEnv(uev, "MAJOR") ?? "-1");
      const minor = Number(ueventEnv(uev, "MINOR") ?? "-1");
      alias = dmMapname(this.ctx, major, minor);
      if (alias === null) {
        this.log.log(2, `${uev.kernel}: mapname not found for ${major}:${minor}`);
        return 1;
      }
    }
    const name = alias;
    return this.lock.run(() => this.evAddMap(uev.kernel, name));
  }

  async uevRemoveMap(uev: Uevent): Promise<number> {
    this.log.log(3, `${uev.kernel}: remove map (uevent)`);
    const alias = ueventEnv(uev, "DM_NAME");
    if (alias === undefined) {
      this.log.log(3, `${uev.kernel}: No DM_NAME in uevent, ignoring`);
      return 0;
    }
    const minor = Number(ueventEnv(uev, "MINOR") ?? "-1");
    return this.lock.run(() => {
      const mpp = findMpByMinor(this.vecs.mpvec, minor) as MpMap | null;
      if (mpp === null) {
        this.log.log(2, `${uev.kernel}: devmap not registered, can't remove`);
        return 0;
      }
      if (mapName(mpp) !== alias) {
        this.log.log(2, `${uev.kernel}: map alias mismatch: have "${mapName(mpp)}", got "${alias}")`);
        return 0;
      }
      dmQueueIfNoPath(this.ctx, alias, false);
      this.removeMapAndStopWaiter(mpp);
      return 0;
    });
  }

  async uevAddPath(uev: Uevent, needDoMap: boolean): Promise<number> {
    this.log.log(3, `${uev.kernel}: add path (uevent)`);
    if (uev.kernel.includes("..")) {
      this.log.log(0, `${uev.kernel}: path name is invalid`);
      return 1;
    }
    let partial = false;
    const r = await this.lock.run(async () => {
      const ctx = this.ctx;
      const vecs = this.vecs;
      let pp = ctx.pathIndex.byDev(vecs.pathvec, uev.kernel);
      let ret = 0;
      if (pp !== null) {
        let prevMpp: MpMap | null = null;
        if (pp.initialized === InitState.PARTIAL) {
          partial = true;
          return 0;
        } else if (pp.initialized === InitState.REMOVED) {
          this.log.log(3, `${pp.dev}: re-adding removed path`);
          pp.initialized = InitState.NEW;
          prevMpp = pp.mpp;
          if (prevMpp === null)
            this.log.log(0, `Bug: ${pp.dev} was in INIT_REMOVED state without being a multipath member`);
          pp.mpp = null;
          setPathWwid(ctx.pathIndex, pp, "");
        } else this.log.log(3, `${uev.kernel}: spurious uevent, path already in pathvec`);
        if (pp.mpp === null && pp.wwid.length === 0) {
          this.log.log(3, `${uev.kernel}: reinitialize path`);
          pp.udev = uev.udev;
          const rc = await pathinfo(ctx, pp, DI.ALL | DI.BLACKLIST);
          if (rc === PathinfoResult.OK && prevMpp === null) ret = await this.evAddPath(pp, needDoMap);
          else if (
            rc === PathinfoResult.OK &&
            prevMpp !== null &&
            pp.wwid.slice(0, WWID_SIZE) === prevMpp.wwid.slice(0, WWID_SIZE)
          ) {
            pp.mpp = prevMpp;
            pp.tick = 1;
            ret = 0;
          } else if (prevMpp !== null) {
            pp.mpp = prevMpp;
            if (!((await this.evRemovePath(pp, true)) & RemovePath.SUCCESS)) {
              pp.dmstate = DmPathState.FAILED;
              dmFailPath(ctx, mapName(pp.mpp!), pp.devT);
              this.log.log(1, `${pp.dev}: failed to re-add path still mapped in ${mapName(pp.mpp!)}`);
              ret = 1;
            } else if (rc === PathinfoResult.OK) pp = null;
          } else if (rc === PathinfoResult.SKIPPED) {
            this.log.log(3, `${uev.kernel}: remove blacklisted path`);
            const i = vecs.pathvec.indexOf(pp);
            if (i >= 0) vecs.pathvec.splice(i, 1);
            freePath(pp);
          } else {
            this.log.log(0, `${uev.kernel}: failed to reinitialize path`);
            ret = 1;
          }
        }
      }
      if (pp !== null) return ret;
      const got = await allocPathWithPathinfo(ctx, uev.udev, uev.wwid, DI.ALL);
      if (got.pp === null) {
        if (got.result === PathinfoResult.SKIPPED) return 0;
        this.log.log(3, `${uev.kernel}: failed to get path info`);
        return 1;
      }
      const np = got.pp;
      vecs.pathvec.push(np);
      np.checkint = confCheckint(ctx);
      return this.evAddPath(np, needDoMap);
    });
    if (partial) return this.uevUpdatePath(uev);
    return r;
  }

  async uevRemovePath(uev: Uevent, needDoMap: boolean): Promise<number> {
    this.log.log(3, `${uev.kernel}: remove path (uevent)`);
    const found = await this.lock.run(async () => {
      const pp = this.ctx.pathIndex.byDev(this.vecs.pathvec, uev.kernel);
      if (pp !== null) await this.evRemovePath(pp, needDoMap);
      return pp !== null;
    });
    if (!found) this.log.log(0, `${uev.kernel}: path already removed`);
    return 0;
  }

  /** `needs_ro_update`. */
  #needsRoUpdate(mpp: MpMap | null, ro: number): boolean {
    if (mpp === null || ro < 0) return false;
    if (mpp.dmi === null) return true;
    if (mpp.dmi.readOnly === (ro === 1)) return false;
    if (ro === 1) return true;
    for (const pg of mpp.pg) for (const pp of pg.paths) if (sysfsGetRo(this.host, pp.dev) === 1) return false;
    return true;
  }

  async uevUpdatePath(uev: Uevent): Promise<number> {
    let needsReinit = false;
    let retval = 0;
    let found = false;
    await this.lock.run(async () => {
      const ctx = this.ctx;
      const pp = this.ctx.pathIndex.byDev(this.vecs.pathvec, uev.kernel);
      if (pp === null) return;
      found = true;
      const mpp = pp.mpp;
      if (pp.initialized === InitState.REQUESTED_UDEV) {
        needsReinit = true;
        return;
      }
      if (pp.wwid.length === 0 && pp.initialized !== InitState.PARTIAL) return;
      const wwid = pp.wwid;
      const rc = await getUid(ctx, pp, pp.state, uev.udev, false);
      if (rc !== 0) setPathWwid(this.ctx.pathIndex, pp, wwid);
      else if (wwid.length > 0 && wwid.slice(0, WWID_SIZE) !== pp.wwid.slice(0, WWID_SIZE)) {
        this.log.log(0, `${uev.kernel}: path wwid changed from '${wwid}' to '${pp.wwid}'`);
        await this.evRemovePath(pp, true);
        needsReinit = true;
        return;
      } else if (pp.initialized === InitState.PARTIAL) {
        pp.udev = uev.udev;
        if ((await this.finishPathInit(pp)) < 0) {
          retval = 1;
          return;
        }
      } else {
        pp.udev = uev.udev;
        if (pathinfoNoIo(ctx, pp, DI.SYSFS | DI.NOIO) !== PathinfoResult.OK)
          this.log.log(1, `${uev.kernel}: pathinfo failed after change uevent`);
      }
      const ro = ueventGetDiskRo(uev);
      if (mpp !== null && this.#needsRoUpdate(mpp, ro)) {
        this.log.log(2, `${uev.kernel}: update path write_protect to '${ro}' (uevent)`);
        if (mpp.waitForUdev) mpp.waitForUdev = 2;
        else {
          if (ro === 1) mpp.forceReadonly = true;
          retval = await this.reloadAndSyncMap(mpp, false);
          if (retval === 2) this.log.log(2, `${pp.dev}: map removed during reload`);
          else {
            mpp.forceReadonly = false;
            this.log.log(2, `${uev.kernel}: map ${mapName(mpp)} reloaded (retval ${retval})`);
          }
        }
      }
    });
    if (!found) {
      const got = await allocPathWithPathinfo(this.ctx, uev.udev, uev.wwid, DI.SYSFS | DI.WWID);
      if (got.pp !== null) freePath(got.pp);
      if (got.result === PathinfoResult.SKIPPED) {
        this.log.log(3, `${uev.kernel}: spurious uevent, path is blacklisted`);
        return 0;
      }
      this.log.log(0, `${uev.kernel}: spurious uevent, path not found`);
    }
    if (needsReinit) retval = await this.uevAddPath(uev, true);
    return retval;
  }

  /* ----------------------------------------------------------------------------------------------
   * dm events (`dmevents.c`)
   */

  #onDmEvent(): void {
    if (this.#dmEventPending) return;
    this.#dmEventPending = true;
    void this.lock.run(() => {
      this.#dmEventPending = false;
      this.dmEventLoop();
    });
  }

  /** One pass of `dmevent_loop`: every watched map whose event number moved is re-read. */
  dmEventLoop(): void {
    if (this.run.state === "shutdown") return;
    // Only maps whose event number moved, or that are gone, need a look; find them in one pass
    // over the device list and then act on them in the order they are watched.
    const list = this.host.dm.list();
    const moved = new Map<string, number>();
    let seen = 0;
    for (const e of list) {
      const nr = this.watched.get(e.name);
      if (nr === undefined) continue;
      seen++;
      if (nr !== e.eventNr) moved.set(e.name, e.eventNr);
    }
    if (moved.size === 0 && seen === this.watched.size) return;
    if (seen === this.watched.size) {
      // None gone: act on the moved ones in the order they are watched, without walking them all.
      const names = [...moved.keys()].sort((a, b) => this.watched.ordinal(a) - this.watched.ordinal(b));
      for (const name of names) {
        const now = moved.get(name)!;
        this.watched.set(name, now);
        this.log.log(3, `${name}: devmap event #${now}`);
        if (this.updateMultipath(name, true)) {
          this.log.log(2, `${name}: stopped watching dmevents`);
          this.watched.delete(name);
        }
      }
      return;
    }
    // Some watched map is gone: which ones.
    const present = seen < this.watched.size ? new Set(list.map((e) => e.name)) : null;
    for (const [name, nr] of [...this.watched]) {
      const now = present !== null && !present.has(name) ? undefined : (moved.get(name) ?? nr);
      if (now === undefined) {
        this.log.log(3, `${name}: devmap event #${nr}`);
        this.watched.delete(name);
        const mpp = this.ctx.aliasIndex.byAlias(this.vecs.mpvec, name);
        if (mpp !== null) {
          this.log.log(2, `${name}: removing map by alias`);
          removeMap(this.ctx, mpp, this.vecs.pathvec, this.vecs.mpvec, this.onRemoveMap);
        }
        continue;
      }
      if (now === nr) continue;
      this.watched.set(name, now);
      this.log.log(3, `${name}: devmap event #${now}`);
      if (this.updateMultipath(name, true)) {
        this.log.log(2, `${name}: stopped watching dmevents`);
        this.watched.delete(name);
      }
    }
  }

  /* ----------------------------------------------------------------------------------------------
   * The checker loop lives in checkerloop.ts; this starts it.
   */

  async #checkerLoop(): Promise<void> {
    await checkerloop(this);
  }

  /** `need_io_err_check`: marginal path I/O testing (io_err_stat) still running for the path. */
  ioErrCheckNeeded(pp: MpPath): boolean {
    return this.ioErrStat?.needCheck(pp) ?? false;
  }

  /** The marginal-path I/O error statistics (io_err_stat), when enabled. */
  ioErrStat: { needCheck(pp: MpPath): boolean } | null = null;

  /** `check_path_wwid_change`: the WWID read from the device now differs from the path's. */
  async checkPathWwidChange(pp: MpPath): Promise<boolean> {
    if (pp.wwid.length === 0) return false;
    const r = await getVpdSgio(this.host, pp.dev, 0x83, WWID_SIZE);
    if (!r.ok || r.value.length === 0) {
      this.log.log(2, `${pp.dev}: failed to check wwid by sgio: len = ${r.ok ? 0 : r.err}`);
      return false;
    }
    setPathWwid(this.ctx.pathIndex, pp, pp.wwid.replace(/ +$/, ""));
    this.log.log(4, `${pp.dev}: Got wwid ${r.value} by sgio`);
    if (r.value.slice(0, WWID_SIZE) !== pp.wwid.slice(0, WWID_SIZE)) {
      this.log.log(0, `${pp.dev}: wwid '${pp.wwid}' doesn't match wwid '${r.value}' from device`);
      return true;
    }
    return false;
  }

  /** `handle_path_wwid_change`: the path leaves its map, the device is rescanned and re-added. */
  async handlePathWwidChange(pp: MpPath): Promise<void> {
    const udev = pp.udev;
    if (udev === null) return;
    if (!((await this.evRemovePath(pp, true)) & RemovePath.SUCCESS) && pp.mpp !== null) {
      pp.dmstate = DmPathState.FAILED;
      dmFailPath(this.ctx, mapName(pp.mpp), pp.devT);
    }
    const sdev = scsiDeviceParent(this.host, udev);
    if (sdev !== null && this.host.sysfs.write(`${sdev.path}/rescan`, "1") !== 0)
      this.log.log(1, `${sdev.path}: failed to trigger rescan`);
    if (this.host.sysfs.write(`${udev.syspath}/uevent`, "add") !== 0)
      this.log.log(1, `${pp.dev}: failed to trigger add event`);
  }

  /** The journal's messages (syslog of the model). */
  messages(): string[] {
    return this.journal.messages();
  }

  /** The current configuration. */
  get config(): Config {
    return this.ctx.config;
  }

  /** `filter_devnode` with the current configuration (for the CLI). */
  devnodeBlacklisted(dev: string): boolean {
    return filterDevnode(this.ctx.config, dev, this.ctx.configLog) > 0;
  }

  /** `filter_wwid` with the current configuration (for the CLI). */
  wwidBlacklisted(wwid: string): boolean {
    return filterWwid(this.ctx.config, wwid, undefined, this.ctx.configLog) > 0;
  }

  /** `sysfs_pathinfo` for the CLI's resize. */
  sysfsPathinfo(pp: MpPath): number {
    return sysfsPathinfo(this.ctx, pp);
  }

  /** Count of paths by state (for tests and dashboards). */
  activePaths(mpp: MpMap): number {
    return countActivePaths(mpp);
  }

  /** Re-exports for the CLI module. */
  static readonly TPGS_UNDEF = TPGS_UNDEF;
}

export { reinstatePaths };

/**
 * The maps multipathd follows (`dmevent_waiters`), name → last event number, remembering the
 * order they were added in (a Map's iteration order) as a number, so that the few maps an event
 * moved are handled in that order without walking every watched map.
 */
class WatchedMaps extends Map<string, number> {
  readonly #order = new Map<string, number>();
  #next = 0;

  override set(name: string, eventNr: number): this {
    if (!this.#order.has(name)) this.#order.set(name, this.#next++);
    return super.set(name, eventNr);
  }

  override delete(name: string): boolean {
    this.#order.delete(name);
    return super.delete(name);
  }

  override clear(): void {
    this.#order.clear();
    super.clear();
  }

  /** Where `name` is in the iteration order (larger is later). */
  ordinal(name: string): number {
    return this.#order.get(name) ?? Number.MAX_SAFE_INTEGER;
  }
}
