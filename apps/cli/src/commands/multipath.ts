/**
 * `mp multipath …` and `mp multipathd …`: multipath-tools 0.9.4 (@mp/daemon) on a simulated host.
 *
 * - `mp multipath ARGS` runs the `multipath` program once on a fresh machine set up as the
 *   conformance scenarios set theirs up (scsi_debug disks behind implicit ALUA, udev running).
 * - `mp multipathd` (no command) runs the daemon on such a machine in real time and serves the
 *   real socket protocol on an abstract name (`--socket @NAME`, default `@mp/multipathd`, never
 *   the real daemon's); it runs until interrupted or told `shutdown`.
 * - `mp multipathd show maps`, `mp multipathd -k'show maps'`, `mp multipathd -k` (interactive)
 *   are the client, talking to that socket.
 *
 * Both take their own options before the program's: `--socket NAME`, `--config FILE`,
 * `--hosts N`, `--luns N`, `--seed S`, `--speed X`.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import {
  type ClientOutcome,
  createMultipathd,
  fixedPeerCredentials,
  multipathdRequest,
  parseMultipathdArgs,
  renderClientOutcome,
  runMultipathdClient,
  stderrWithTimeSink,
  type UxAddress,
  UxServer,
} from "@mp/daemon";
import { advanceAsync, NSEC_PER_MSEC, NSEC_PER_SEC, realTimeClock } from "@mp/dm-core";
import { createSimWorld, MULTIPATH_HOST_MODULES, type SimWorld } from "@mp/fabric";
import type { Out } from "../app/commands.js";
import { ScenarioSession } from "../conformance/session.js";
import { MachineFactory } from "../machine/plugins.js";

/** The socket `mp multipathd` uses unless told otherwise: abstract, and not the real daemon's. */
export const DEFAULT_SIM_SOCKET = "@mp/multipathd";

/** The `defaults` the conformance scenarios use, the machines' multipath.conf unless `--config`. */
export const SIM_MULTIPATH_CONF = `defaults {
\tuser_friendly_names yes
\tfind_multipaths no
\tpolling_interval 2
\tmax_polling_interval 4
}
`;

const HOST_MODULES = MULTIPATH_HOST_MODULES;

/** `mp`'s own options, taken off the front of the arguments. */
export interface SimToolOptions {
  socket: string;
  config: string | null;
  hosts: number;
  luns: number;
  seed: string;
  speed: number;
}

/** Bad `mp` options (exit status 2). */
export class SimToolUsageError extends Error {
  readonly code = "MP_SIM_TOOL_USAGE";
}

/** Splits `mp`'s options from the program's arguments. */
export function parseSimToolArgs(argv: readonly string[]): { opts: SimToolOptions; rest: string[] } {
  const opts: SimToolOptions = {
    socket: DEFAULT_SIM_SOCKET,
    config: null,
    hosts: 2,
    luns: 1,
    seed: "1",
    speed: 1,
  };
  const rest: string[] = [];
  let i = 0;
  const value = (name: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new SimToolUsageError(`${name} needs a value`);
    return v;
  };
  const count = (name: string, v: string, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new SimToolUsageError(`${name} must be 1…${max}: ${v}`);
    return n;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const [name, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const v = (n: string) => inline ?? value(n);
    if (name === "--socket") opts.socket = v(name);
    else if (name === "--config") opts.config = v(name);
    else if (name === "--hosts") opts.hosts = count(name, v(name), 16);
    else if (name === "--luns") opts.luns = count(name, v(name), 128);
    else if (name === "--seed") opts.seed = v(name);
    else if (name === "--speed") {
      const s = Number(v(name));
      if (!(s > 0 && s <= 1000))
        throw new SimToolUsageError(`--speed must be in (0, 1000]: ${inline ?? argv[i]}`);
      opts.speed = s;
    } else break;
  }
  rest.push(...argv.slice(i));
  if (opts.socket.length < 2) throw new SimToolUsageError(`--socket: not a socket name: ${opts.socket}`);
  return { opts, rest };
}

/** `@NAME` is an abstract socket, anything else a filesystem path. */
export function socketAddress(name: string): UxAddress {
  return name.startsWith("@") ? { abstract: name.slice(1) } : { path: name };
}

function readConfig(opts: SimToolOptions): string {
  if (opts.config === null) return SIM_MULTIPATH_CONF;
  try {
    return readFileSync(opts.config, "utf8");
  } catch (e) {
    throw new SimToolUsageError(`--config: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function scsiDebugParams(opts: SimToolOptions): string[] {
  return [
    `add_host=${opts.hosts}`,
    "num_tgts=1",
    `max_luns=${opts.luns}`,
    "vpd_use_hostno=0",
    "dev_size_mb=16",
  ];
}

/* ------------------------------------------------------------------------------------------------
 * mp multipath
 */

/** `mp multipath ARGS`: one run of the tool on a fresh scenario machine. */
export async function multipathCommand(argv: readonly string[], out: Out): Promise<number> {
  let parsed: { opts: SimToolOptions; rest: string[] };
  try {
    parsed = parseSimToolArgs(argv);
  } catch (e) {
    out.stderr(`mp multipath: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { opts, rest } = parsed;
  const m = await (await MachineFactory.discover()).create();
  const session = new ScenarioSession(m);
  let line = 0;
  const step = async (node: Parameters<ScenarioSession["step"]>[0]) => {
    await session.step(node);
  };
  for (const mod of HOST_MODULES) await step({ kind: "modprobe", line: ++line, module: mod, params: [] });
  await step({ kind: "config", line: ++line, startLine: line, text: readConfig(opts) });
  await step({ kind: "udev", line: ++line });
  await step({ kind: "modprobe", line: ++line, module: "scsi_debug", params: scsiDebugParams(opts) });
  const setup = session.takeOutput();
  if (setup.trim() !== "") {
    out.stderr(`mp multipath: setting up the machine failed:\n${setup}`);
    return 3;
  }
  const r = await session.runCommand(["multipath", ...rest]);
  out.stderr(r.stderr);
  out.stdout(r.stdout);
  return r.rc;
}

/* ------------------------------------------------------------------------------------------------
 * mp multipathd
 */

/** A world as the scenarios build theirs, with udev settled and the disks scanned. */
async function scenarioWorld(opts: SimToolOptions): Promise<SimWorld> {
  const w = createSimWorld({
    seed: /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed,
    kernelConfig: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false },
  });
  for (const mod of HOST_MODULES) {
    const r = w.modprobe(mod);
    if (!r.ok) throw new Error(`modprobe ${mod} failed`);
  }
  w.host.files.write("/etc/multipath.conf", readConfig(opts));
  w.host.startUdev();
  const settleUdev = async () => {
    const limit = w.clock.now() + 60 * NSEC_PER_SEC;
    while (!w.host.udev.settled() && w.clock.now() < limit) {
      const next = w.clock.nextTime();
      if (next === undefined) break;
      await advanceAsync(w.clock, Math.max(0, next - w.clock.now()));
    }
  };
  await settleUdev();
  const r = w.modprobe("scsi_debug", ...scsiDebugParams(opts));
  if (!r.ok) throw new Error("modprobe scsi_debug failed");
  await settleUdev();
  return w;
}

/**
 * Moves the world's virtual clock along with the wall clock (times `speed`), in slices so the
 * daemon's async work interleaves, and never for long in one turn.
 */
function paceWorld(w: SimWorld, speed: number): () => void {
  let last = performance.now();
  let busy = false;
  let stopped = false;
  const SLICE_NS = 5 * NSEC_PER_MSEC;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    const now = performance.now();
    let todo = Math.round((now - last) * 1e6 * speed);
    last = now;
    void (async () => {
      const turnEnd = performance.now() + 25;
      while (todo > 0 && !stopped && performance.now() < turnEnd) {
        const n = Math.min(SLICE_NS, todo);
        await advanceAsync(w.clock, n);
        todo -= n;
      }
      busy = false;
    })();
  }, 20);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

async function serveDaemon(
  opts: SimToolOptions,
  inv: { foreground: boolean; verbosity: number | null; bindingsReadOnly: boolean; pollDmevents: boolean },
  out: Out,
): Promise<number> {
  const address = socketAddress(opts.socket);
  // Refuse to start a second daemon on the same socket, as multipathd does.
  const probe = await multipathdRequest("show daemon\n", {
    address,
    clock: realTimeClock(),
    uxsockTimeoutMs: 1000,
  });
  if (probe.kind === "reply") {
    out.stderr(`mp multipathd: a daemon already listens on ${opts.socket}\n`);
    return 1;
  }
  const w = await scenarioWorld(opts);
  const d = createMultipathd({
    host: w.host,
    pid: process.pid,
    verbosity: inv.verbosity,
    bindingsReadOnly: inv.bindingsReadOnly,
    pollDmevents: inv.pollDmevents,
    ...(inv.foreground ? { logSink: stderrWithTimeSink((t) => out.stderr(t)) } : {}),
  });
  const stopPacing = paceWorld(w, opts.speed);
  const server = new UxServer({
    clock: w.clock,
    // The simulated host's clients are its root: every command is allowed.
    peerCredentials: fixedPeerCredentials({ uid: 0, gid: 0, pid: 0 }),
    dispatch: (command, client, signal) => d.dispatch(command, { isRoot: client.isRoot }, signal),
    log: (level, message) => d.daemon.log.log(Math.min(4, Math.max(0, level)) as 0, message),
  });
  try {
    await server.listen(address);
  } catch (e) {
    stopPacing();
    out.stderr(
      `mp multipathd: cannot listen on ${opts.socket}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  void d.start();
  out.stderr(
    `mp multipathd: multipathd 0.9.4 on a simulated host (${opts.hosts} scsi_debug hosts, ${opts.luns} LUN${opts.luns > 1 ? "s" : ""}), listening on ${opts.socket}\n`,
  );
  const onSignal = () => {
    void d.stop();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const rc = await d.exited;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  // Let the reply to `shutdown` reach its client before the listener goes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await server.close();
  stopPacing();
  return rc;
}

async function clientRequest(address: UxAddress, command: string): Promise<ClientOutcome> {
  return multipathdRequest(command, { address, clock: realTimeClock() });
}

async function interactive(address: UxAddress, out: Out): Promise<number> {
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, terminal: false });
  if (tty) out.stdout("multipathd> ");
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === "quit" || line === "exit") break;
    if (line !== "") {
      const r = await clientRequest(address, `${line}\n`);
      if (r.kind === "connect-failed") {
        out.stderr("mp multipathd: cannot connect to the daemon\n");
        rl.close();
        return 1;
      }
      out.stdout(renderClientOutcome(r).stdout);
    }
    if (tty) out.stdout("multipathd> ");
  }
  rl.close();
  return 0;
}

/** `mp multipathd ARGS`: the daemon (no command words) or its client. */
export async function multipathdCommand(argv: readonly string[], out: Out): Promise<number> {
  let parsed: { opts: SimToolOptions; rest: string[] };
  try {
    parsed = parseSimToolArgs(argv);
  } catch (e) {
    out.stderr(`mp multipathd: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { opts, rest } = parsed;
  const inv = parseMultipathdArgs(rest);
  const address = socketAddress(opts.socket);
  switch (inv.mode) {
    case "error":
      out.stderr(inv.stderr);
      return inv.exitCode;
    case "daemon":
      return serveDaemon(opts, inv, out);
    case "interactive":
      return interactive(address, out);
    case "client": {
      const r = await runMultipathdClient(rest, (cmd) => clientRequest(address, cmd));
      if (r === null) return 0;
      out.stdout(r.stdout);
      if (r.stderr) out.stderr(r.stderr);
      if (r.exitCode !== 0 && r.stdout === "" && r.stderr === "")
        out.stderr(`mp multipathd: no daemon on ${opts.socket} (start one with: mp multipathd)\n`);
      return r.exitCode;
    }
  }
}
