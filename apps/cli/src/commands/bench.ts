/**
 * `mp bench`: the benchmark suite (@mp/bench) — the same run as `pnpm bench`, from the binary.
 * The suite runs each family in a child process of its own (cold heap, honest RSS, the I/O path
 * and its fio peer pinned to one CPU), so this command only locates the built runner and hands
 * it the arguments.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";

/** What `mp bench` accepts. */
export interface BenchCommandOptions {
  readonly smoke?: boolean;
  readonly family?: string;
  readonly json?: string;
  /** commander's `--no-pin`: false when given. */
  readonly pin?: boolean;
  readonly markdown?: string;
}

/** Where the suite lives: its package directory and its built runner. */
export interface BenchSuite {
  readonly dir: string;
  readonly runner: string;
}

/** Finds the installed @mp/bench; null when it is not installed beside this binary. */
export function locateBenchSuite(): BenchSuite | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve("@mp/bench/package.json"));
    return { dir, runner: join(dir, "dist", "run.js") };
  } catch {
    return null;
  }
}

/**
 * The runner's arguments. A full run with no `--json` writes `results/latest.json` of the suite,
 * as `pnpm bench` does, so the README's table can be made from it; paths given by the user are
 * taken relative to the directory `mp` was started in.
 */
export function benchArgs(opts: BenchCommandOptions, suiteDir: string, cwd: string): string[] {
  if (opts.markdown !== undefined) return ["--markdown", resolve(cwd, opts.markdown)];
  const args: string[] = [];
  if (opts.smoke) args.push("--smoke");
  if (opts.family !== undefined) args.push("--family", opts.family);
  if (opts.json !== undefined) args.push("--json", resolve(cwd, opts.json));
  else if (!opts.smoke) args.push("--json", join(suiteDir, "results", "latest.json"));
  if (opts.pin === false) args.push("--no-pin");
  return args;
}

/** Adds `mp bench` to the program; `finish` receives the exit status. */
export function registerBenchCommand(
  program: Command,
  finish: (rc: number) => void,
  suite: () => BenchSuite | null = locateBenchSuite,
): void {
  program
    .command("bench")
    .description(
      "the benchmark suite: selectors, tables, the I/O path against fio's null engine, the daemon at scale, virtual-time experiments, the dashboard; figures against their budgets",
    )
    .option("--smoke", "every benchmark at toy sizes, no verdicts (what CI runs)")
    .option("--family <ids>", "only these families, comma-separated (selectors, tables, io-path, …)")
    .option(
      "--json <file>",
      "write the figures here (default for a full run: the suite's results/latest.json)",
    )
    .option("--no-pin", "do not pin the I/O path and fio to one CPU with taskset")
    .option("--markdown <results>", "print the README table of a results file and exit")
    .action(async (opts: BenchCommandOptions) => {
      const found = suite();
      if (found === null || !existsSync(found.runner)) {
        process.stderr.write(
          found === null
            ? "mp bench: the benchmark suite (@mp/bench) is not installed; it ships with the mp source tree: run `pnpm bench` in a clone\n"
            : `mp bench: the benchmark suite is not built (${found.runner} is missing); run \`pnpm build\` first\n`,
        );
        finish(2);
        return;
      }
      const args = benchArgs(opts, found.dir, process.cwd());
      const rc = await new Promise<number>((res) => {
        const cp = spawn(process.execPath, [found.runner, ...args], { stdio: "inherit", cwd: found.dir });
        cp.on("error", (e) => {
          process.stderr.write(`mp bench: ${e.message}\n`);
          res(1);
        });
        cp.on("exit", (code, signal) => res(code ?? (signal ? 128 : 1)));
      });
      finish(rc);
    });
}
