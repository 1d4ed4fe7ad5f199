/**
 * multipathd at scale on the simulator, each case in a fresh process (peak RSS is the process's):
 *
 * - cold start, 1,024 paths (256 LUNs × 4) and 16,384 paths (4,096 LUNs × 4): multipathd and
 *   udev are up with no disks; the FC driver loads and scans (the uevent storm of a boot), and
 *   the clock is driven as the dashboard drives it (a macrotask turn after every timer, so async
 *   work interleaves) until every LUN's map is live with its four paths. Wall time from the first
 *   uevent; the virtual time the model's multipathd needed is reported beside it.
 * - one checker pass over 4,096 paths (1,024 LUNs), once the daemon runs steadily: the wall time
 *   from the pass's first checker result to its last.
 *
 * The longest event-loop block during each (`monitorEventLoopDelay`, 1 ms resolution) is what a
 * dashboard on the same thread would feel as a freeze.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import * as daemonPkg from "@mp/daemon";
import { type DevT, defaultFlush, type Host, mkdev, NSEC_PER_SEC, settle } from "@mp/dm-core";
import type { SimWorld } from "@mp/fabric";
import { type BenchContext, type BenchResult, type Budget, skipped, withBudget } from "../harness.js";
import { buildSan } from "../worlds.js";

const FAMILY = "daemon-scale";

const COLD_1K: Budget = { cmp: "<", limit: 500 };
const COLD_16K: Budget = { cmp: "<", limit: 5000 };
const RSS_16K_MB = 500;
const CHECKER: Budget = { cmp: "<", limit: 50 };
const BLOCK_MS = 100;

/** The part of `@mp/daemon`'s multipathd these benchmarks drive (checked at run time). */
interface DaemonEventLike {
  readonly kind: string;
  readonly timeNs: number;
}
interface MultipathdLike {
  start(): Promise<void>;
  paths(): readonly unknown[];
  readonly events: { subscribe(fn: (e: DaemonEventLike) => void): () => void };
}
type CreateMultipathd = (o: { readonly host: Host; readonly pid?: number }) => MultipathdLike;

/** `createMultipathd`, once `@mp/daemon` exports it. */
export function daemonFactory(): CreateMultipathd | null {
  const f = (daemonPkg as Record<string, unknown>).createMultipathd;
  return typeof f === "function" ? (f as CreateMultipathd) : null;
}

const CONF = "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths no\n}\n";

/** A SAN of `luns` LUNs × 4 paths with the dm and SCSI modules loaded and udev running; not scanned. */
async function daemonWorld(luns: number): Promise<SimWorld> {
  const san = buildSan({ luns, lunMb: 64, scan: false });
  const w = san.world;
  for (const m of ["sd_mod", "sg", "scsi_dh_alua", "dm-multipath", "dm-round-robin", "dm-service-time"]) {
    const r = w.modprobe(m);
    if (!r.ok) throw new Error(`modprobe ${m}: errno ${r.errno}`);
  }
  w.host.files.write("/etc/multipath.conf", CONF);
  w.host.startUdev();
  await driveUntil(w, () => w.host.udev.settled(), 60 * NSEC_PER_SEC, 60_000);
  return w;
}

/**
 * Drives the clock timer by timer, with one macrotask turn after each (so the async work a
 * timer started runs before the next timer, as under the dashboard's `advanceAsync`), until
 * `done()` holds, the virtual limit passes or the wall limit (ms) does. Returns whether
 * `done()` held. (Calling `advanceAsync` once per timer, as this did before, took three turns
 * per timer — before, after and at the end — two of them with nothing to run.)
 */
async function driveUntil(
  w: SimWorld,
  done: () => boolean,
  virtualNs: number,
  wallMs: number,
): Promise<boolean> {
  const vEnd = w.clock.now() + virtualNs;
  const wEnd = performance.now() + wallMs;
  await defaultFlush();
  while (!done()) {
    const next = w.clock.nextTime();
    if (next === undefined || next > vEnd || performance.now() > wEnd) return done();
    w.clock.runNext();
    await defaultFlush();
  }
  return true;
}

/**
 * Counts maps that are live in the kernel with all four paths, looking only at what changed: a
 * table goes live at a resume, which sends a change uevent for the map's disk, so only the maps
 * that sent one since the last count are asked for their deps (asking every map at every dm
 * event made the observer quadratic: at 16,384 paths it cost more than the daemon did).
 */
function liveMapCounter(w: SimWorld): { count(): number; stop(): void } {
  const dm = w.kernel.dm;
  const live = new Set<DevT>();
  const changed = new Set<DevT>();
  const stop = w.kernel.uevents.subscribe((u) => {
    if (
      u.subsystem !== "block" ||
      u.action !== "change" ||
      !u.devpath.startsWith("/devices/virtual/block/dm-")
    )
      return;
    let major = -1;
    let minor = -1;
    for (const [k, v] of u.env) {
      if (k === "MAJOR") major = Number(v);
      else if (k === "MINOR") minor = Number(v);
    }
    const devt = mkdev(major, minor);
    if (major >= 0 && minor >= 0 && !live.has(devt)) changed.add(devt);
  });
  return {
    count() {
      if (changed.size === 0) return live.size;
      for (const devt of changed) {
        const d = dm.deps({ devt });
        if (d.ok && d.value.info.liveTable && d.value.deps.length === 4) live.add(devt);
      }
      changed.clear();
      return live.size;
    },
    stop,
  };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function coldStart(
  ctx: BenchContext,
  create: CreateMultipathd,
  o: { id: string; name: string; luns: number; budget: Budget; wallCapMs: number; rssBudgetMb?: number },
): Promise<BenchResult> {
  const w = await daemonWorld(o.luns);
  const d = create({ host: w.host, pid: 240 });
  const started = await settle(w.clock, d.start(), 60 * NSEC_PER_SEC);
  if (!started.settled) throw new Error("multipathd did not start within 60 s of virtual time");
  const maps = liveMapCounter(w);
  let t0 = 0;
  let v0 = 0;
  const unsubscribe = w.kernel.uevents.subscribe(() => {
    if (t0 === 0) {
      t0 = performance.now();
      v0 = w.clock.now();
    }
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  ctx.log(`${o.luns * 4} paths: scan`);
  // The FC driver's load scans every target: the disks' uevents start here.
  const r = w.modprobe("qla2xxx");
  if (!r.ok) throw new Error(`modprobe qla2xxx: errno ${r.errno}`);
  const ok = await driveUntil(w, () => maps.count() >= o.luns, 3600 * NSEC_PER_SEC, o.wallCapMs);
  const wall = performance.now() - t0;
  loop.disable();
  unsubscribe();
  const live = maps.count();
  maps.stop();
  ctx.log(
    `${live}/${o.luns} maps live after ${Math.round(wall)} ms (${((w.clock.now() - v0) / 1e9).toFixed(1)} s virtual)`,
  );
  const rss = peakRssMb();
  const maxBlockMs = loop.max / 1e6;
  const result: BenchResult = {
    id: `${FAMILY}/${o.id}`,
    family: FAMILY,
    name: o.name,
    unit: "ms",
    value: wall,
    extra: {
      complete: ok,
      mapsLive: live,
      maps: o.luns,
      pathsKnown: d.paths().length,
      virtualSec: (w.clock.now() - v0) / 1e9,
      maxEventLoopBlockMs: maxBlockMs,
      eventLoopBudgetMs: BLOCK_MS,
      peakRssMb: rss,
      ...(o.rssBudgetMb ? { rssBudgetMb: o.rssBudgetMb } : {}),
    },
  };
  const judged = withBudget(ctx, result, o.budget);
  // An unfinished cold start, too much memory or a frozen loop miss the budget whatever the time.
  if (judged.budget && judged.budget.met === true) {
    const rssOk = o.rssBudgetMb === undefined || rss < o.rssBudgetMb;
    if (!ok || !rssOk || maxBlockMs > BLOCK_MS)
      return { ...judged, budget: { ...judged.budget, met: false } };
  }
  if (!ok && judged.budget) return { ...judged, budget: { ...judged.budget, met: ctx.smoke ? null : false } };
  return judged;
}

async function checkerPass(ctx: BenchContext, create: CreateMultipathd, luns: number): Promise<BenchResult> {
  const w = await daemonWorld(luns);
  ctx.log(`${luns * 4} paths: scan, udev`);
  const r = w.modprobe("qla2xxx");
  if (!r.ok) throw new Error(`modprobe qla2xxx: errno ${r.errno}`);
  await driveUntil(w, () => w.host.udev.settled(), 600 * NSEC_PER_SEC, 600_000);
  ctx.log(`${luns * 4} paths: multipathd start (coldplug)`);
  const d = create({ host: w.host, pid: 240 });
  const started = await settle(w.clock, d.start(), 3600 * NSEC_PER_SEC);
  if (!started.settled) throw new Error("multipathd did not start within an hour of virtual time");
  // A pass: checker results with no gap of 500 ms of virtual time; wall time first to last.
  interface Pass {
    n: number;
    lastV: number;
    firstW: number;
    lastW: number;
  }
  const passes: Pass[] = [];
  let cur: Pass | null = null;
  const unsubscribe = d.events.subscribe((e) => {
    if (e.kind !== "checker-result") return;
    const now = performance.now();
    if (cur === null || e.timeNs - cur.lastV > 500_000_000) {
      cur = { n: 0, lastV: e.timeNs, firstW: now, lastW: now };
      passes.push(cur);
    }
    cur.n++;
    cur.lastV = e.timeNs;
    cur.lastW = now;
  });
  const paths = luns * 4;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // A pass is over once the next one began; the first may have started during the start-up, so
  // the second is the one measured (the daemon checks every path it knows in it).
  await driveUntil(w, () => passes.length >= 3, 120 * NSEC_PER_SEC, ctx.smoke ? 60_000 : 180_000);
  loop.disable();
  unsubscribe();
  const pass = passes[1] ?? null;
  ctx.log(
    `${passes.length} passes seen (${passes.map((p) => p.n).join(", ")}); measured: ${pass ? `${(pass.lastW - pass.firstW).toFixed(1)} ms` : "none"}`,
  );
  const base = {
    id: `${FAMILY}/checker-pass/4096-paths`,
    family: FAMILY,
    name: `one checker pass, ${paths.toLocaleString("en-US")} paths${ctx.smoke ? " (smoke)" : ""}`,
    unit: "ms" as const,
  };
  if (!pass)
    return {
      ...base,
      value: null,
      skipped: `no complete checker pass within 120 s of virtual time (passes seen: ${passes.map((p) => p.n).join(", ") || "none"})`,
      budget: { ...CHECKER, met: ctx.smoke ? null : false },
      extra: { maxEventLoopBlockMs: loop.max / 1e6, peakRssMb: peakRssMb() },
    };
  const maxBlockMs = loop.max / 1e6;
  const judged = withBudget(
    ctx,
    {
      ...base,
      value: pass.lastW - pass.firstW,
      extra: {
        pathsChecked: pass.n,
        maxEventLoopBlockMs: maxBlockMs,
        eventLoopBudgetMs: BLOCK_MS,
        peakRssMb: peakRssMb(),
      },
    },
    CHECKER,
  );
  if (judged.budget?.met === true && maxBlockMs > BLOCK_MS)
    return { ...judged, budget: { ...judged.budget, met: false } };
  return judged;
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const create = daemonFactory();
  const why = "@mp/daemon does not export createMultipathd yet";
  switch (ctx.caseName) {
    case "cold-start-1k":
      if (!create)
        return [skipped(FAMILY, "cold-start/1024-paths", "cold start, 1,024 paths", "ms", why, COLD_1K)];
      return [
        await coldStart(ctx, create, {
          id: "cold-start/1024-paths",
          name: ctx.smoke ? "cold start, 16 paths (smoke)" : "cold start, 1,024 paths (256 LUNs × 4)",
          luns: ctx.smoke ? 4 : 256,
          budget: COLD_1K,
          wallCapMs: ctx.smoke ? 60_000 : 90_000,
        }),
      ];
    case "cold-start-16k":
      if (!create)
        return [skipped(FAMILY, "cold-start/16384-paths", "cold start, 16,384 paths", "ms", why, COLD_16K)];
      return [
        await coldStart(ctx, create, {
          id: "cold-start/16384-paths",
          name: ctx.smoke ? "cold start, 32 paths (smoke)" : "cold start, 16,384 paths (4,096 LUNs × 4)",
          luns: ctx.smoke ? 8 : 4096,
          budget: COLD_16K,
          wallCapMs: ctx.smoke ? 60_000 : 120_000,
          rssBudgetMb: RSS_16K_MB,
        }),
      ];
    default:
      if (!create)
        return [
          skipped(FAMILY, "checker-pass/4096-paths", "one checker pass, 4,096 paths", "ms", why, CHECKER),
        ];
      return [await checkerPass(ctx, create, ctx.smoke ? 4 : 1024)];
  }
}
