/**
 * Virtual-time experiments: the wall time of the seed's fio matrix example
 * (`examples/fio-matrix.yaml`, every cell: groupings × selectors × workloads × LUN profiles),
 * parsed and run in virtual time through `@mp/fabric`'s scenario runner, as `mp sim run` does.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as fabric from "@mp/fabric";
import { type BenchContext, type BenchResult, skipped, withBudget } from "../harness.js";

const FAMILY = "virtual-time";
const BUDGET = { cmp: "<", limit: 10 } as const;

/** The repository root, from this file's place (`bench/dist/run.js` or `bench/src/families/`). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(dir, "pnpm-workspace.yaml"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("cannot find the repository root (pnpm-workspace.yaml)");
}

/** The scenario API this family drives (checked at run time: the runner is young). */
interface ScenarioApi {
  parseScenario(
    text: string,
    file?: string,
  ):
    | { readonly ok: true; readonly spec: unknown }
    | { readonly ok: false; readonly diagnostics: readonly { line: number; col: number; message: string }[] };
  runScenario(spec: unknown): Promise<{ readonly ok: boolean; readonly cells: readonly unknown[] }>;
  expandMatrix(spec: unknown): readonly unknown[];
  runCell(spec: unknown, cell: unknown): Promise<unknown>;
}

function scenarioApi(): ScenarioApi | null {
  const f = fabric as unknown as Record<string, unknown>;
  for (const name of ["parseScenario", "runScenario", "expandMatrix", "runCell"])
    if (typeof f[name] !== "function") return null;
  return f as unknown as ScenarioApi;
}

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const id = "fio-matrix";
  const name = "seed's fio matrix example (examples/fio-matrix.yaml), every cell";
  const api = scenarioApi();
  if (!api)
    return [skipped(FAMILY, id, name, "s", "@mp/fabric does not export the scenario runner yet", BUDGET)];
  const file = resolve(repoRoot(), "examples/fio-matrix.yaml");
  if (!existsSync(file))
    return [skipped(FAMILY, id, name, "s", "examples/fio-matrix.yaml does not exist yet", BUDGET)];
  const t0 = performance.now();
  const parsed = api.parseScenario(readFileSync(file, "utf8"), "examples/fio-matrix.yaml");
  if (!parsed.ok) {
    const d = parsed.diagnostics[0];
    return [
      skipped(
        FAMILY,
        id,
        name,
        "s",
        `the example does not parse: ${d ? `${d.line}:${d.col}: ${d.message}` : "no diagnostic"}`,
        BUDGET,
      ),
    ];
  }
  const cells = api.expandMatrix(parsed.spec);
  if (ctx.smoke) {
    // One cell: the whole path (parse, world, workload, report) without the minutes.
    ctx.log(`1 of ${cells.length} cells`);
    await api.runCell(parsed.spec, cells[0]);
    const s = (performance.now() - t0) / 1000;
    return [
      withBudget(
        ctx,
        { id: `${FAMILY}/${id}`, family: FAMILY, name: `${name} (smoke: 1 cell)`, unit: "s", value: s },
        BUDGET,
      ),
    ];
  }
  ctx.log(`${cells.length} cells`);
  const result = await api.runScenario(parsed.spec);
  const s = (performance.now() - t0) / 1000;
  return [
    withBudget(
      ctx,
      {
        id: `${FAMILY}/${id}`,
        family: FAMILY,
        name,
        unit: "s",
        value: s,
        extra: { cells: result.cells.length, expectationsOk: result.ok },
      },
      BUDGET,
    ),
  ];
}
