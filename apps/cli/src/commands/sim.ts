/**
 * `mp sim run FILE` and `mp sim compare FILE --selectors a,b,c`: scenarios of @mp/fabric in
 * virtual time — a fio-like report, per-path shares, the fault timeline and the expectations;
 * the exit status says whether every expectation held.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createMultipathd } from "@mp/daemon";
import type { PathSelectorType } from "@mp/dm-core";
import {
  formatCompare,
  formatDiagnostic,
  formatScenarioJson,
  formatScenarioText,
  parseScenario,
  type RunScenarioOptions,
  runScenario,
  type ScenarioDaemon,
  type ScenarioResult,
  ScenarioSetupError,
  selectorsFromModule,
} from "@mp/fabric";
import type { Command } from "commander";

/** Exit statuses of `mp sim`. */
export const SimExit = {
  OK: 0,
  /** An expectation failed. */
  EXPECTATION_FAILED: 1,
  /** Bad usage, unreadable or invalid scenario file, bad plugin. */
  USAGE: 2,
  /** The scenario could not be set up (a table the kernel refused, a module that would not load). */
  SETUP: 3,
  /** A model invariant broke: a bug in mp, not in the scenario. */
  CRASH: 70,
} as const;

/** Where `mp sim` writes, and whether stderr is a terminal (for the progress bar). */
export interface SimIo {
  stdout(s: string): void;
  stderr(s: string): void;
  /** stderr is a terminal: draw a progress bar there. */
  readonly tty: boolean;
  /** Wall-clock ms, to throttle the progress bar (the apps may read the wall clock). */
  now?(): number;
}

export interface SimRunOptions {
  readonly seed?: string;
  readonly json?: boolean;
  /** Plugin modules (files) exporting path selectors. */
  readonly plugin?: readonly string[];
}

export interface SimCompareOptions extends SimRunOptions {
  readonly selectors: string;
}

function parseSeed(s: string | undefined): number | string | undefined {
  if (s === undefined) return undefined;
  return /^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : s;
}

/** Loads the path selectors of plugin files (`--plugin ./my-selector.js`). */
export async function loadSelectorPlugins(files: readonly string[]): Promise<PathSelectorType[]> {
  const out: PathSelectorType[] = [];
  for (const f of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolve(f)).href)) as Record<string, unknown>;
    } catch (e) {
      throw new PluginLoadError(`cannot load plugin ${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let found: PathSelectorType[];
    try {
      found = selectorsFromModule(mod);
    } catch (e) {
      throw new PluginLoadError(`plugin ${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (found.length === 0)
      throw new PluginLoadError(
        `plugin ${f} exports no path selector (export one made with definePathSelector)`,
      );
    for (const s of found) {
      if (out.some((o) => o.name === s.name))
        throw new PluginLoadError(`two plugins define the selector ${s.name}`);
      out.push(s);
    }
  }
  return out;
}

class PluginLoadError extends Error {}

/** A terminal progress bar on stderr, redrawn at most 10 times a second. */
function progressBar(io: SimIo): { update: NonNullable<RunScenarioOptions["onProgress"]>; clear(): void } {
  if (!io.tty) return { update: () => {}, clear: () => {} };
  let last = -1;
  let drawn = false;
  const now = io.now ?? (() => Date.now());
  return {
    update(cell, cells, fraction) {
      const t = now();
      if (t - last < 100 && fraction < 1) return;
      last = t;
      const total = (cell + fraction) / cells;
      const width = 30;
      const fill = Math.round(total * width);
      io.stderr(
        `\r[${"#".repeat(fill)}${" ".repeat(width - fill)}] ${(total * 100).toFixed(0).padStart(3)}%  run ${cell + 1}/${cells}\u001b[K`,
      );
      drawn = true;
    },
    clear() {
      if (drawn) io.stderr("\r\u001b[K");
    },
  };
}

async function runFile(
  cmd: "run" | "compare",
  file: string,
  opts: SimRunOptions,
  io: SimIo,
  extra: Partial<RunScenarioOptions>,
): Promise<{ rc: number; result: ScenarioResult | null }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    io.stderr(`mp sim ${cmd}: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return { rc: SimExit.USAGE, result: null };
  }
  const parsed = parseScenario(text, file);
  if (!parsed.ok) {
    for (const d of parsed.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    return { rc: SimExit.USAGE, result: null };
  }
  for (const w of parsed.warnings) io.stderr(`${formatDiagnostic(w)}\n`);
  let selectors: PathSelectorType[] = [];
  try {
    selectors = await loadSelectorPlugins(opts.plugin ?? []);
  } catch (e) {
    io.stderr(`mp sim ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
    return { rc: SimExit.USAGE, result: null };
  }
  const bar = progressBar(io);
  const seed = parseSeed(opts.seed);
  try {
    const result = await runScenario(parsed.spec, {
      ...(seed !== undefined ? { seed } : {}),
      selectors,
      onProgress: bar.update,
      flush: () => new Promise<void>((r) => setImmediate(r)),
      ...extra,
    });
    bar.clear();
    const crashed = result.cells.some((c) => c.crash !== null);
    return { rc: crashed ? SimExit.CRASH : result.ok ? SimExit.OK : SimExit.EXPECTATION_FAILED, result };
  } catch (e) {
    bar.clear();
    if (e instanceof ScenarioSetupError || (e instanceof Error && "code" in e)) {
      io.stderr(`mp sim ${cmd}: ${e.message}\n`);
      return { rc: SimExit.SETUP, result: null };
    }
    throw e;
  }
}

/** `mp sim run FILE [--seed N] [--json]`. */
export async function simRun(
  file: string,
  opts: SimRunOptions,
  io: SimIo,
  daemon?: ScenarioDaemon,
): Promise<number> {
  const { rc, result } = await runFile("run", file, opts, io, daemon ? { daemon } : {});
  if (result) io.stdout(opts.json ? formatScenarioJson(result) : formatScenarioText(result));
  return rc;
}

/** `mp sim compare FILE --selectors a,b,c [--plugin ./my-selector.js]`. */
export async function simCompare(
  file: string,
  opts: SimCompareOptions,
  io: SimIo,
  daemon?: ScenarioDaemon,
): Promise<number> {
  const list = opts.selectors
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) {
    io.stderr("mp sim compare: --selectors needs at least one selector name\n");
    return SimExit.USAGE;
  }
  const { rc, result } = await runFile("compare", file, opts, io, {
    compareSelectors: list,
    ...(daemon ? { daemon } : {}),
  });
  if (result) io.stdout(opts.json ? formatScenarioJson(result) : formatCompare(result));
  return rc;
}

/**
 * multipathd (@mp/daemon) for scenarios with `multipath_conf:`: the configuration goes to
 * `/etc/multipath.conf`, udev starts and coldplugs the disks, then the daemon starts and builds
 * its maps; the scenario runs on them.
 */
export const multipathdSeam: ScenarioDaemon = {
  async start(world, conf) {
    world.host.files.write("/etc/multipath.conf", conf);
    world.host.startUdev();
    await world.host.udev.whenSettled();
    const d = createMultipathd({ host: world.host, rng: world.rng.fork("multipathd") });
    await d.start();
    // The daemon's first pass (path discovery, map creation) runs right after start.
    await new Promise<void>((r) => world.clock.schedule(2e9, r, undefined));
    return {
      stop: async () => {
        await d.stop();
      },
    };
  },
};

/** Adds `mp sim run` and `mp sim compare` to the program; `finish` receives the exit status. */
export function registerSimCommand(
  program: Command,
  finish: (rc: number) => void,
  daemon: ScenarioDaemon = multipathdSeam,
): void {
  const io: SimIo = {
    stdout: (s) => {
      process.stdout.write(s);
    },
    stderr: (s) => {
      process.stderr.write(s);
    },
    tty: process.stderr.isTTY === true,
  };
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  const sim = program
    .command("sim")
    .description(
      "run @mp/fabric scenarios (YAML) in virtual time: topology, maps, workloads, faults, expectations",
    );
  sim
    .command("run")
    .description("run a scenario; prints a fio-like report, per-path shares, faults and expectations")
    .argument("<file>", "scenario file (YAML)")
    .option("--seed <n>", "seed of every random choice (overrides the file's)")
    .option("--json", "print the result as JSON")
    .option("--plugin <file>", "a module exporting path selectors (repeatable)", collect)
    .action(async (file: string, opts: SimRunOptions) => {
      finish(await simRun(file, opts, io, daemon));
    });
  sim
    .command("compare")
    .description("run a scenario under each selector and print one table side by side")
    .argument("<file>", "scenario file (YAML)")
    .requiredOption(
      "--selectors <list>",
      "comma-separated selectors: round-robin, queue-length, service-time, … or a plugin's",
    )
    .option("--plugin <file>", "a module exporting path selectors (repeatable)", collect)
    .option("--seed <n>", "seed of every random choice (overrides the file's)")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: SimCompareOptions) => {
      finish(await simCompare(file, opts, io, daemon));
    });
}
