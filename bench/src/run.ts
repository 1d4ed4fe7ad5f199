#!/usr/bin/env node
/**
 * `pnpm bench` / `pnpm bench:smoke`: runs every benchmark family, each in a fresh child process
 * (a cold heap per measurement, honest peak RSS; the I/O path and its fio peer pinned to the
 * same CPU), prints the figures against their budgets and writes them as JSON.
 *
 *   node dist/run.js [--smoke] [--json FILE] [--family id,id] [--no-pin]
 *   node dist/run.js --markdown results/latest.json    (the README's table of a run)
 *
 * A smoke run exercises every benchmark at toy sizes and gives no verdicts: CI runs it so the
 * suite cannot rot. It fails only when a benchmark throws.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FAMILIES } from "./families/index.js";
import { type BenchContext, type BenchResult, type Family, meets } from "./harness.js";
import { benchCpu, hasTaskset, type MachineInfo, machineInfo } from "./machine.js";
import { formatMarkdown, formatReport } from "./report.js";

export { FAMILIES };

/** The ratio budget: simulated I/O at iodepth 32 over fio's null engine. */
export const FIO_RATIO_BUDGET = { cmp: ">=", limit: 0.5 } as const;

/** The JSON a run writes. */
export interface RunDocument {
  readonly schema: "mp-bench/1";
  readonly mode: "full" | "smoke";
  readonly startedAt: string;
  readonly durationSec: number;
  readonly machine: MachineInfo;
  readonly results: readonly BenchResult[];
  /** Families that failed (a benchmark threw): the run exits non-zero. */
  readonly failures: readonly string[];
}

interface Args {
  markdown: string | null;
  smoke: boolean;
  json: string | null;
  families: string[] | null;
  pin: boolean;
  child: string | null;
  caseName: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    markdown: null,
    smoke: false,
    json: null,
    families: null,
    pin: true,
    child: null,
    caseName: "",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--smoke":
        a.smoke = true;
        break;
      case "--markdown":
        a.markdown = value();
        break;
      case "--json":
        a.json = value();
        break;
      case "--family":
        a.families = value().split(",");
        break;
      case "--no-pin":
        a.pin = false;
        break;
      case "--child":
        a.child = value();
        break;
      case "--case":
        a.caseName = value();
        break;
      default:
        throw new Error(
          `unknown argument ${arg} (use --smoke, --json FILE, --family a,b, --no-pin, --markdown RESULTS.json)`,
        );
    }
  }
  return a;
}

function log(prefix: string): (m: string) => void {
  return (m) => process.stderr.write(`  [${prefix}] ${m}\n`);
}

/** Child mode: run one family (or one of its cases) and send the results to the parent. */
async function child(a: Args): Promise<void> {
  const fam = FAMILIES.find((f) => f.id === a.child);
  if (!fam) throw new Error(`no family ${a.child}`);
  const ctx: BenchContext = {
    smoke: a.smoke,
    caseName: a.caseName,
    log: log(a.caseName ? `${fam.id}:${a.caseName}` : fam.id),
  };
  const run = await fam.load();
  const results = await run(ctx);
  await new Promise<void>((res, rej) =>
    process.send!({ results }, (e: Error | null) => (e ? rej(e) : res())),
  );
}

/** Runs one family case in a child process; resolves with its results or rejects with why not. */
function runChild(fam: Family, caseName: string, a: Args): Promise<BenchResult[]> {
  const script = fileURLToPath(import.meta.url);
  const nodeArgs = [...process.execArgv, script, "--child", fam.id];
  if (caseName) nodeArgs.push("--case", caseName);
  if (a.smoke) nodeArgs.push("--smoke");
  const pinned = fam.pin && a.pin && hasTaskset();
  const [cmd, args] = pinned
    ? ["taskset", ["-c", String(benchCpu()), process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  return new Promise((res, rej) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(fam.caseEnv?.(caseName) ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    const cp = spawn(cmd, args as string[], { stdio: ["ignore", "inherit", "inherit", "ipc"], env });
    let results: BenchResult[] | null = null;
    cp.on("message", (m: { results?: BenchResult[] }) => {
      if (m.results) results = m.results;
    });
    cp.on("error", rej);
    cp.on("exit", (code, signal) => {
      if (results && code === 0) res(results);
      else rej(new Error(`exited with ${signal ?? code}${results ? "" : " before reporting"}`));
    });
  });
}

/** The figure the issue asks for: simulated IOPS at iodepth 32 over fio's null engine, same core. */
export function fioRatio(results: readonly BenchResult[], smoke: boolean): BenchResult {
  const mp = results.find((r) => r.id === "io-path/randread-4k/qd32");
  const fio = results.find((r) => r.id === "fio-peer/null/randread-4k/qd32");
  const base = {
    id: "io-path/ratio-to-fio-null/qd32",
    family: "io-path",
    name: "simulated I/O ÷ fio null engine, iodepth 32, per CPU-second",
    unit: "×" as const,
  };
  if (!mp?.value || !fio?.value) {
    const why = !mp?.value ? "the simulated I/O path did not run" : (fio?.skipped ?? "fio did not run");
    return { ...base, value: null, skipped: why, budget: { ...FIO_RATIO_BUDGET, met: null } };
  }
  // Per CPU-second on both sides: fio's job does not always have its core to itself (on a busy
  // machine its wall-clock IOPS drop while its IOPS per CPU-second do not), and the model's
  // figure is per CPU-second too.
  const perCpu = typeof fio.extra?.iopsPerCpuSecond === "number" ? fio.extra.iopsPerCpuSecond : fio.value;
  const value = mp.value / perCpu;
  return {
    ...base,
    value,
    extra: {
      mpIoPerCpuSecond: mp.value,
      fioIops: fio.value,
      fioIopsPerCpuSecond: perCpu,
      ratioToFioWallIops: mp.value / fio.value,
    },
    budget: { ...FIO_RATIO_BUDGET, met: smoke ? null : meets(value, FIO_RATIO_BUDGET) },
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.markdown) {
    process.stdout.write(formatMarkdown(JSON.parse(readFileSync(a.markdown, "utf8")) as RunDocument));
    return;
  }
  if (a.child) {
    await child(a);
    return;
  }
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const families = a.families ? FAMILIES.filter((f) => a.families!.includes(f.id)) : FAMILIES;
  if (a.families && families.length !== a.families.length)
    throw new Error(`unknown family in ${a.families.join(",")}; have ${FAMILIES.map((f) => f.id).join(",")}`);
  const results: BenchResult[] = [];
  const failures: string[] = [];
  for (const fam of families) {
    const cases = fam.cases?.(a.smoke) ?? [""];
    for (const c of cases) {
      const label = c ? `${fam.id}:${c}` : fam.id;
      process.stderr.write(`${label}: ${fam.title}${a.smoke ? " (smoke)" : ""}\n`);
      try {
        results.push(...(await runChild(fam, c, a)));
      } catch (e) {
        failures.push(label);
        process.stderr.write(`${label}: FAILED: ${(e as Error).message}\n`);
      }
    }
  }
  if (families.some((f) => f.id === "io-path") || families.some((f) => f.id === "fio-peer"))
    results.push(fioRatio(results, a.smoke));
  const machine = machineInfo();
  const doc: RunDocument = {
    schema: "mp-bench/1",
    mode: a.smoke ? "smoke" : "full",
    startedAt,
    durationSec: Math.round((performance.now() - t0) / 100) / 10,
    machine,
    results,
    failures,
  };
  process.stdout.write(formatReport(doc));
  if (a.json) {
    const file = resolve(a.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    process.stderr.write(`wrote ${file}\n`);
  }
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
