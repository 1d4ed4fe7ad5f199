/**
 * `mp tui`: the live dashboard (@mp/tui). Loaded on demand, so the other subcommands do not pay
 * for Ink and React.
 */
import type { Command } from "commander";

/** What `mp tui` accepts. */
export interface TuiCommandOptions {
  readonly scenario?: string;
  readonly seed?: string;
  readonly socket?: string;
  readonly readOnly?: boolean;
  readonly speed?: string;
  readonly paused?: boolean;
  readonly refresh?: string;
  readonly view?: string;
}

const VIEWS = ["maps", "topology", "paths", "events"] as const;

/** Adds `mp tui` to the program; `finish` receives the exit status. */
export function registerTuiCommand(program: Command, finish: (rc: number) => void): void {
  program
    .command("tui")
    .description(
      "the live dashboard: maps, path groups and paths, per-path I/O, events; act as an operator, inject faults",
    )
    .option("--scenario <file>", "open a @mp/fabric scenario instead of the default simulated host")
    .option("--seed <n>", "seed of the simulated world (default 1)")
    .option(
      "--socket <name>",
      "attach to a running multipathd (@NAME abstract socket, or a path) instead of simulating",
    )
    .option("--read-only", "never send modifying commands (with --socket)")
    .option("--speed <x>", "initial speed of virtual time: 1, 10, 100 … (simulator)")
    .option("--paused", "start with virtual time paused (simulator)")
    .option("--refresh <hz>", "refresh rate, 1–20 Hz (default 2)")
    .option("--view <name>", `view to open: ${VIEWS.join(", ")}`)
    .action(async (opts: TuiCommandOptions) => {
      const bad = (msg: string): void => {
        process.stderr.write(`mp tui: ${msg}\n`);
        finish(2);
      };
      const num = (name: string, v: string | undefined): number | undefined | null => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) {
          bad(`${name} must be a number: ${v}`);
          return null;
        }
        return n;
      };
      const speed = num("--speed", opts.speed);
      const refresh = num("--refresh", opts.refresh);
      if (speed === null || refresh === null) return;
      if (opts.view !== undefined && !(VIEWS as readonly string[]).includes(opts.view))
        return bad(`--view must be one of ${VIEWS.join(", ")}: ${opts.view}`);
      // React's development build checks every render and costs the dashboard several times
      // the CPU; a user runs the production build (unless they asked otherwise).
      process.env.NODE_ENV ??= "production";
      // Ink decides once, when it loads, whether it is in CI (CI or CONTINUOUS_INTEGRATION set)
      // and then writes only the last frame, at exit. On a terminal the dashboard is live
      // whatever the environment says, so those two are dropped before Ink loads.
      if (process.stdout.isTTY) {
        delete process.env.CI;
        delete process.env.CONTINUOUS_INTEGRATION;
      }
      const { runDashboard } = await import("@mp/tui");
      finish(
        await runDashboard({
          ...(opts.scenario !== undefined ? { scenario: opts.scenario } : {}),
          ...(opts.seed !== undefined
            ? { seed: /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed }
            : {}),
          ...(opts.socket !== undefined ? { socket: opts.socket } : {}),
          ...(opts.readOnly ? { readOnly: true } : {}),
          ...(speed !== undefined ? { speed } : {}),
          ...(opts.paused ? { paused: true } : {}),
          ...(refresh !== undefined ? { refreshHz: refresh } : {}),
          ...(opts.view !== undefined ? { view: opts.view as (typeof VIEWS)[number] } : {}),
        }),
      );
    });
}
