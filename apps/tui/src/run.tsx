/**
 * `runDashboard`: the dashboard as a program. Picks the source (the embedded simulator, or a
 * daemon's socket), takes over the terminal (alternate screen, raw keys), and gives it back
 * exactly as it was on quit, on a fatal error and on SIGTERM/SIGHUP.
 */
import { render } from "ink";
import { TuiUsageError } from "./errors.js";
import { createSimulatorSource } from "./source/sim/simulator-source.js";
import { createSocketSource } from "./source/socket-source.js";
import type { DashboardSource } from "./source/source.js";
import { clampRefreshHz } from "./state/dashboard.js";
import type { ViewName } from "./state/views.js";
import { Dashboard } from "./ui/Dashboard.js";

/** Options of {@link runDashboard}. */
export interface RunDashboardOptions {
  /** Watch this source (otherwise one is made from the options below). */
  readonly source?: DashboardSource;
  /** A scenario file for the simulator instead of the default host. */
  readonly scenario?: string;
  /** Seed of the simulated world. */
  readonly seed?: number | string;
  /** Attach to a running daemon on this socket (`@name` abstract, or a path) instead of simulating. */
  readonly socket?: string;
  /** Never send modifying commands. */
  readonly readOnly?: boolean;
  /** Initial speed of virtual time (simulator). */
  readonly speed?: number;
  /** Start with virtual time paused (simulator). */
  readonly paused?: boolean;
  /** Refresh rate, Hz (clamped to 1–20). Default 2. */
  readonly refreshHz?: number;
  /** The view to open. */
  readonly view?: ViewName;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
  /** Use the terminal's alternate screen (default: when stdout is a terminal). */
  readonly altScreen?: boolean;
}

const ENTER_ALT = "\x1b[?1049h\x1b[H";
const LEAVE_ALT = "\x1b[?1049l";
const SHOW_CURSOR = "\x1b[?25h";

/** The source the options ask for. Throws {@link TuiUsageError} for contradictory options. */
export function sourceFromOptions(o: RunDashboardOptions): DashboardSource {
  if (o.source) return o.source;
  if (o.socket !== undefined) {
    if (o.scenario !== undefined) throw new TuiUsageError("--socket and --scenario exclude each other");
    if (o.seed !== undefined) throw new TuiUsageError("--seed is for the simulator, not --socket");
    return createSocketSource({ socket: o.socket, ...(o.readOnly ? { readOnly: true } : {}) });
  }
  if (o.readOnly)
    throw new TuiUsageError("--read-only applies to --socket (the simulator is yours to break)");
  if (o.speed !== undefined && !(o.speed > 0 && Number.isFinite(o.speed)))
    throw new TuiUsageError(`--speed must be a positive number: ${o.speed}`);
  return createSimulatorSource({
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.scenario !== undefined ? { scenario: o.scenario } : {}),
    ...(o.speed !== undefined ? { speed: o.speed } : {}),
    ...(o.paused ? { paused: true } : {}),
  });
}

/**
 * Runs the dashboard until the user quits. Resolves with the exit status: 0 on quit, 1 when the
 * source failed (no daemon on the socket, a world that would not boot), 2 on bad usage or
 * without a terminal.
 */
export async function runDashboard(o: RunDashboardOptions = {}): Promise<number> {
  const stdin = o.stdin ?? process.stdin;
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  if (!stdin.isTTY) {
    stderr.write("mp tui: needs an interactive terminal (stdin is not a TTY)\n");
    return 2;
  }
  if (o.refreshHz !== undefined && !Number.isFinite(o.refreshHz)) {
    stderr.write(`mp tui: --refresh must be a number of Hz (1–20): ${o.refreshHz}\n`);
    return 2;
  }
  let source: DashboardSource;
  try {
    source = sourceFromOptions(o);
  } catch (e) {
    stderr.write(`mp tui: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  const alt = o.altScreen ?? stdout.isTTY === true;
  if (alt) stdout.write(ENTER_ALT);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (alt) stdout.write(LEAVE_ALT);
    stdout.write(SHOW_CURSOR);
  };

  let fatal: string | null = null;
  let quit: () => void = () => {};
  const instance = render(
    <Dashboard
      source={source}
      onQuit={() => quit()}
      {...(o.refreshHz !== undefined ? { refreshHz: clampRefreshHz(o.refreshHz) } : {})}
      {...(o.view ? { view: o.view } : {})}
    />,
    { stdin, stdout, stderr, exitOnCtrlC: false, patchConsole: true, maxFps: 30 },
  );
  quit = () => instance.unmount();
  const onSignal = (): void => instance.unmount();
  process.once("SIGTERM", onSignal);
  process.once("SIGHUP", onSignal);

  source.start().catch((e: unknown) => {
    fatal = e instanceof Error ? e.message : String(e);
    instance.unmount();
  });

  try {
    await instance.waitUntilExit();
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    await source.stop().catch(() => {});
    instance.cleanup();
    restore();
  }
  if (fatal !== null) {
    stderr.write(`mp tui: ${fatal}\n`);
    return 1;
  }
  return 0;
}
