/**
 * Multipath tables: the constructor (DM_TABLE_LOAD of a multipath line, i.e. dm_split_args and
 * the multipath target's ctr with its selectors' add_path) and the two status formats
 * (DM_TABLE_STATUS TABLE and INFO), for a typical map (2 groups × 2 paths) and a large one
 * (8 groups × 8 paths), through dm-core's ioctl interface as multipathd drives it.
 */
import { createKernel, formatDevT, type Kernel, VirtualClock } from "@mp/dm-core";
import { type BenchContext, type BenchResult, nsPerOp } from "../harness.js";

const FAMILY = "tables";
const MAP_SECTORS = 2048;

interface TableShape {
  readonly id: string;
  readonly name: string;
  readonly groups: number;
  readonly pathsPerGroup: number;
}

const SHAPES: readonly TableShape[] = [
  { id: "typical", name: "typical (2 groups × 2 paths)", groups: 2, pathsPerGroup: 2 },
  { id: "large", name: "large (8 groups × 8 paths)", groups: 8, pathsPerGroup: 8 },
];

/** The table line multipathd 0.9.4 writes for group_by_prio with service-time (no hardware handler). */
export function multipathParams(paths: readonly string[], groups: number, perGroup: number): string {
  const parts = ["1 queue_if_no_path 0", String(groups), "1"];
  for (let g = 0; g < groups; g++) {
    parts.push("service-time 0", String(perGroup), "2");
    for (let p = 0; p < perGroup; p++) parts.push(paths[g * perGroup + p]!, "1 1");
  }
  return parts.join(" ");
}

function kernelWithLoops(n: number): Kernel {
  const k = createKernel({ clock: new VirtualClock() });
  for (const m of ["dm_mod", "dm-multipath", "dm-service-time"]) {
    const r = k.modules.load(m);
    if (!r.ok) throw new Error(`modprobe ${m}: errno ${r.errno}`);
  }
  for (let i = 0; i < n; i++) {
    const r = k.losetup(`loop${i}`, MAP_SECTORS * 512);
    if (!r.ok) throw new Error(`losetup loop${i}: errno ${r.errno}`);
  }
  return k;
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const shape of SHAPES) {
    const n = shape.groups * shape.pathsPerGroup;
    const k = kernelWithLoops(n);
    const paths = Array.from({ length: n }, (_, i) => formatDevT(k.block.byName(`loop${i}`)!.devt));
    const params = multipathParams(paths, shape.groups, shape.pathsPerGroup);
    const line = [{ start: 0, length: MAP_SECTORS, type: "multipath", params }];
    const dm = k.dm;
    const created = dm.create("mpatha");
    if (!created.ok) throw new Error(`create: errno ${created.errno}`);
    const first = dm.load("mpatha", line);
    if (!first.ok)
      throw new Error(
        `load ${shape.id}: errno ${first.errno}\n${k.log
          .since(0)
          .map((l) => l.text)
          .join("\n")}`,
      );
    const res = dm.resume("mpatha");
    if (!res.ok) throw new Error(`resume: errno ${res.errno}`);
    const batch = shape.id === "large" ? 64 : 256;

    ctx.log(`ctr ${shape.id}`);
    // Each load builds a fresh inactive table (ctr), replacing and destroying the previous one.
    out.push(
      await nsPerOp(ctx, {
        family: FAMILY,
        id: `ctr/${shape.id}`,
        name: `ctr (DM_TABLE_LOAD), ${shape.name}`,
        batch,
        fn: () => {
          for (let i = 0; i < batch; i++) if (!dm.load("mpatha", line).ok) throw new Error("load failed");
        },
        it: { iterations: 30, timeMs: 400, warmupIterations: 5 },
      }),
    );
    for (const kind of ["table", "info"] as const) {
      ctx.log(`status ${kind} ${shape.id}`);
      const sample = dm.status("mpatha", { kind });
      if (!sample.ok) throw new Error(`status ${kind}: errno ${sample.errno}`);
      out.push(
        await nsPerOp(ctx, {
          family: FAMILY,
          id: `status-${kind}/${shape.id}`,
          name: `status ${kind.toUpperCase()}, ${shape.name}`,
          batch,
          fn: () => {
            for (let i = 0; i < batch; i++) if (!dm.status("mpatha", { kind }).ok) throw new Error("status");
          },
          it: { iterations: 30, timeMs: 300, warmupIterations: 5 },
        }),
      );
    }
  }
  return out.map(toMicros);
}

/** Tables cost microseconds: report them so. */
function toMicros(r: BenchResult): BenchResult {
  if (r.unit !== "ns/op" || r.value === null || !r.spread) return r;
  const s = r.spread;
  return {
    ...r,
    unit: "µs/op",
    value: r.value / 1000,
    spread: {
      ...s,
      mean: s.mean / 1000,
      p50: s.p50 / 1000,
      p75: s.p75 / 1000,
      p99: s.p99 / 1000,
      min: s.min / 1000,
      max: s.max / 1000,
    },
  };
}
