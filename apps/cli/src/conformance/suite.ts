import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import type { ScenarioMachine } from "../machine/machine.js";
import { compareTranscripts } from "./compare.js";
import { runScenario } from "./runner.js";

/** A scenario file found under a conformance directory. */
export interface ScenarioFile {
  /** `dm/messages`. */
  readonly name: string;
  readonly scnPath: string;
  readonly outPath: string;
}

/** One scenario's verdict. */
export type Verdict =
  | { readonly kind: "pass"; readonly name: string }
  | { readonly kind: "fail"; readonly name: string; readonly why: string; readonly diff: string }
  | { readonly kind: "skip"; readonly name: string; readonly reason: string };

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.endsWith(".scn")) out.push(p);
  }
}

/** Every `.scn` under the directories (or the files themselves), sorted by name. */
export function findScenarios(paths: readonly string[]): ScenarioFile[] {
  const found: ScenarioFile[] = [];
  for (const root of paths) {
    if (!existsSync(root)) throw new Error(`no such file or directory: ${root}`);
    if (statSync(root).isFile()) {
      const dirName = basename(join(root, ".."));
      found.push({
        name: `${dirName}/${basename(root, ".scn")}`,
        scnPath: root,
        outPath: root.replace(/\.scn$/, ".out"),
      });
      continue;
    }
    const files: string[] = [];
    walk(root, files);
    for (const f of files) {
      let name = relative(root, f)
        .split(sep)
        .join("/")
        .replace(/\.scn$/, "");
      if (!name.includes("/")) name = `${basename(root)}/${name}`;
      found.push({ name, scnPath: f, outPath: f.replace(/\.scn$/, ".out") });
    }
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Replays one scenario on a fresh machine and compares it with its `.out`. */
export async function checkScenario(
  file: ScenarioFile,
  newMachine: () => Promise<ScenarioMachine>,
): Promise<Verdict> {
  const scn = readFileSync(file.scnPath, "utf8");
  if (!existsSync(file.outPath)) {
    return { kind: "fail", name: file.name, why: `no ${basename(file.outPath)} beside it`, diff: "" };
  }
  const expected = readFileSync(file.outPath, "utf8");
  const r = await runScenario(scn, await newMachine());
  if (r.outcome.kind === "skipped") {
    return { kind: "skip", name: file.name, reason: `line ${r.outcome.line}: ${r.outcome.reason}` };
  }
  const c = compareTranscripts(scn, expected, r.transcript);
  if (c.ok) return { kind: "pass", name: file.name };
  if ("usageError" in c) return { kind: "fail", name: file.name, why: c.usageError, diff: "" };
  const why =
    r.outcome.kind === "scn-error"
      ? `scenario error at line ${r.outcome.line}: ${r.outcome.message}`
      : "transcript differs";
  return { kind: "fail", name: file.name, why, diff: c.diff };
}

/** Totals of a run. */
export interface SuiteSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** `N passed, N failed, N skipped`. */
export function formatSummary(s: SuiteSummary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
}

/** Counts verdicts. */
export function summarize(verdicts: readonly Verdict[]): SuiteSummary {
  return {
    passed: verdicts.filter((v) => v.kind === "pass").length,
    failed: verdicts.filter((v) => v.kind === "fail").length,
    skipped: verdicts.filter((v) => v.kind === "skip").length,
  };
}
