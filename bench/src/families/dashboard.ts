/**
 * The dashboard (apps/tui): the CPU share of one core it takes to show 256 maps / 1,024 paths
 * refreshing at 4 Hz, rendered by Ink into a fake 200×60 terminal. The source is the TUI's own
 * scripted `FakeSource` whose every path's I/O figures change on each refresh (as a busy host's
 * do), so each refresh is a real new frame; what is measured is the dashboard itself
 * (reducer, views, Ink's layout and diff), not a simulation behind it. CPU time comes from
 * process.cpuUsage over a fixed wall window, after a warm-up.
 */
import { PassThrough, Writable } from "node:stream";
import * as tui from "@mp/tui";
import { type BenchContext, type BenchResult, cpuMs, skipped, withBudget } from "../harness.js";

const FAMILY = "dashboard";
const BUDGET = { cmp: "<", limit: 30 } as const;
const MAPS = 256;
const PATHS_PER_MAP = 4;
const HZ = 4;
const COLUMNS = 200;
const ROWS = 60;

/** A terminal's input side that never types (until told to). */
function fakeStdin(): NodeJS.ReadStream {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { isTTY: boolean };
  s.isTTY = true;
  (s as unknown as { setRawMode(on: boolean): unknown }).setRawMode = () => s;
  (s as unknown as { ref(): unknown }).ref = () => s;
  (s as unknown as { unref(): unknown }).unref = () => s;
  return s;
}

/** A terminal's output side: counts what it is sent. */
function fakeStdout(): { stream: NodeJS.WriteStream; bytes(): number; writes(): number } {
  let bytes = 0;
  let writes = 0;
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      bytes += chunk.length;
      writes++;
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { columns: number; rows: number; isTTY: boolean };
  w.columns = COLUMNS;
  w.rows = ROWS;
  w.isTTY = true;
  return { stream: w, bytes: () => bytes, writes: () => writes };
}

type PathLike = { readonly key: string; readonly iops: number | null; readonly latencyUs: number | null };

/**
 * A DashboardSource over the TUI's FakeSource whose refresh moves every path's I/O figures: the
 * dashboard's own refresh ticker drives it at the rate under test.
 */
function liveFakeSource(): tui.DashboardSource {
  const { maps, paths } = tui.fakeTopology({ maps: MAPS, pathsPerMap: PATHS_PER_MAP });
  const fake = new tui.FakeSource({ maps, paths });
  let tick = 0;
  const next = (): typeof paths =>
    paths.map((p, i) => {
      const phase = (tick + i) % 17;
      return {
        ...(p as PathLike),
        iops: 500 + ((i * 37 + tick * 101) % 4000),
        latencyUs: 80 + phase * 13,
      } as unknown as (typeof paths)[number];
    });
  return new Proxy(fake, {
    get(target, prop) {
      if (prop === "refresh")
        return () => {
          tick++;
          return target.set(maps, next());
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  // `mp tui` sets NODE_ENV=production before React and Ink load: that is the dashboard as
  // shipped. React's development build (NODE_ENV unset, e.g. runDashboard from a user's own
  // script) is measured beside it for comparison.
  const development = ctx.caseName === "development";
  const id = `render-256-maps-4hz${development ? "/development" : ""}`;
  const name = `render ${MAPS} maps / ${(MAPS * PATHS_PER_MAP).toLocaleString("en-US")} paths at ${HZ} Hz (${COLUMNS}×${ROWS})${development ? ", React development build" : ", as shipped (mp tui)"}`;
  const api = tui as Record<string, unknown>;
  for (const f of ["runDashboard", "FakeSource", "fakeTopology"])
    if (typeof api[f] !== "function")
      return [skipped(FAMILY, id, name, "%", `@mp/tui does not export ${f}`, BUDGET)];
  const stdin = fakeStdin();
  const out = fakeStdout();
  const err = fakeStdout();
  const source = liveFakeSource();
  const exit = tui.runDashboard({
    source,
    refreshHz: HZ,
    stdin,
    stdout: out.stream,
    stderr: err.stream,
    altScreen: false,
  });
  const warmMs = ctx.smoke ? 500 : 3000;
  const windowMs = ctx.smoke ? 1000 : 10_000;
  ctx.log(`warm-up ${warmMs} ms, then ${windowMs} ms measured`);
  await sleep(warmMs);
  const b0 = out.bytes();
  const n0 = out.writes();
  const c0 = cpuMs();
  const w0 = performance.now();
  await sleep(windowMs);
  const cpu = cpuMs() - c0;
  const wall = performance.now() - w0;
  const frames = out.writes() - n0;
  const bytes = out.bytes() - b0;
  stdin.push("q");
  const status = await Promise.race([exit, sleep(5000).then(() => "timeout" as const)]);
  if (status !== 0) throw new Error(`the dashboard did not quit cleanly: ${String(status)}`);
  if (frames === 0) throw new Error("the dashboard wrote nothing in the measured window");
  const result: BenchResult = {
    id: `${FAMILY}/${id}`,
    family: FAMILY,
    name,
    unit: "%",
    value: (100 * cpu) / wall,
    extra: {
      windowMs: Math.round(wall),
      cpuMs: Math.round(cpu),
      writes: frames,
      kibPerSecond: bytes / 1024 / (wall / 1000),
      nodeEnv: process.env.NODE_ENV ?? null,
    },
  };
  // The budget holds the dashboard as users run it; the development figure is for comparison.
  return [development ? result : withBudget(ctx, result, BUDGET)];
}
