import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runScenario } from "../conformance/runner.js";
import {
  checkScenario,
  findScenarios,
  formatSummary,
  summarize,
  type Verdict,
} from "../conformance/suite.js";
import { MachineFactory } from "../machine/plugins.js";
import { defaultMachine, runOneShot } from "./one-shot.js";

/** Where the `mp` subcommands write. */
export interface Out {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** `mp conformance DIR…`: replays every scenario and compares it with its `.out`. */
export async function conformanceCommand(
  dirs: readonly string[],
  opts: { readonly diff?: boolean; readonly filter?: string },
  out: Out,
  factory?: MachineFactory,
): Promise<number> {
  const f = factory ?? (await MachineFactory.discover());
  for (const p of f.problems)
    out.stderr(`mp conformance: note: ${p.pkg} could not be loaded: ${p.message}\n`);
  let files: ReturnType<typeof findScenarios>;
  try {
    files = findScenarios(dirs);
  } catch (e) {
    out.stderr(`mp conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (opts.filter) files = files.filter((x) => x.name.includes(opts.filter!));
  const verdicts: Verdict[] = [];
  for (const file of files) {
    const v = await checkScenario(file, () => f.create());
    verdicts.push(v);
    switch (v.kind) {
      case "pass":
        out.stdout(`PASS ${v.name}\n`);
        break;
      case "skip":
        out.stdout(`SKIP ${v.name} (${v.reason})\n`);
        break;
      case "fail":
        out.stdout(`FAIL ${v.name} (${v.why})\n`);
        if (opts.diff && v.diff) {
          const lines = v.diff.split("\n").slice(0, 60);
          out.stdout(
            `${lines
              .map((l) => `    ${l}`)
              .join("\n")
              .trimEnd()}\n`,
          );
        }
        break;
    }
  }
  const s = summarize(verdicts);
  out.stdout(`${formatSummary(s)}\n`);
  return s.failed > 0 ? 1 : 0;
}

/** `mp scn FILE`: prints a scenario's transcript, as the lab's run-scn does. */
export async function scnCommand(file: string, out: Out, factory?: MachineFactory): Promise<number> {
  if (!existsSync(file)) {
    out.stderr(`mp scn: cannot read ${file}\n`);
    return 2;
  }
  const f = factory ?? (await MachineFactory.discover());
  const r = await runScenario(readFileSync(file, "utf8"), await f.create(), { runUntilMissing: true });
  out.stdout(r.transcript);
  if (r.outcome.kind === "skipped") {
    out.stderr(`mp scn: stopped at line ${r.outcome.line}: ${r.outcome.reason}\n`);
    return 3;
  }
  return r.outcome.kind === "scn-error" ? 2 : 0;
}

/** `mp dmsetup ARGS…` (and other one-shot tools) on a fresh default machine. */
export async function oneShotCommand(argv: readonly string[], out: Out): Promise<number> {
  const r = await runOneShot(argv, await defaultMachine(await MachineFactory.discover()));
  out.stderr(r.stderr);
  out.stdout(r.stdout);
  for (const l of r.dmesg) out.stderr(`dmesg: ${l}\n`);
  return r.rc;
}

/** The demo scenario shipped with the CLI. */
export function demoScenarioPath(): string {
  return fileURLToPath(new URL("../../demo/dm-demo.scn", import.meta.url));
}

/** `mp demo`: the pre-dashboard demo, a dmsetup session on simulated loop devices. */
export async function demoCommand(out: Out): Promise<number> {
  const path = [demoScenarioPath(), fileURLToPath(new URL("../demo/dm-demo.scn", import.meta.url))].find(
    (p) => existsSync(p),
  );
  if (!path) {
    out.stderr("mp demo: the demo scenario (demo/dm-demo.scn) is missing\n");
    return 2;
  }
  out.stdout(
    "mp demo — the pre-dashboard demo: device-mapper multipath on simulated loop devices.\n" +
      "Every line below is printed by the model (Linux 6.1 dm-multipath, dmsetup 1.02.185, dd 9.1)\n" +
      `replaying ${path.replace(/.*\/apps\/cli\//, "apps/cli/")} in virtual time.\n`,
  );
  const r = await runScenario(readFileSync(path, "utf8"), await (await MachineFactory.discover()).create());
  out.stdout(r.transcript);
  if (r.outcome.kind !== "completed") {
    out.stderr(`mp demo: the demo did not complete: ${JSON.stringify(r.outcome)}\n`);
    return 1;
  }
  return 0;
}
