/**
 * @mp/daemon's contribution to the scenario machines of `mp conformance`, `mp scn` and
 * `mp shell`: the `multipathd` command (the daemon, started in the background as the real one
 * daemonises, and the socket client), the `multipath` command, and multipath-tools' udev rule
 * (56-multipath.rules with this package's `multipath -u`). The CLI discovers it as the
 * `scenarioPlugin` export; the machine types are declared structurally so the daemon does not
 * depend on the app.
 */
import type { Host, VirtualClock } from "@mp/dm-core";
import { parseMultipathdArgs, renderClientOutcome } from "./cli/client.js";
import { loadConfig } from "./config/config.js";
import { createLibmpContext } from "./libmultipath/context.js";
import { LAB_CPU_COSTS } from "./libmultipath/cpu.js";
import { Logger, stderrWithTimeSink } from "./libmultipath/log.js";
import { multipathU } from "./libmultipath/valid.js";
import { runMultipath } from "./multipath-tool/main.js";
import { createMultipathd, type Multipathd } from "./multipathd/multipathd.js";

interface PluginIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface PluginCommandContext {
  readonly io: PluginIo;
  readonly machine: PluginMachine;
  sleep(ns: number): Promise<void>;
}

interface PluginUdevRuleContext {
  readonly action: string;
  readonly subsystem: string;
  readonly sysname: string;
  readonly devtype: string | undefined;
  readonly env: Map<string, string>;
  readonly db: ReadonlyMap<string, string> | null;
}

interface PluginHost extends Host {
  addUdevRule?(rule: { name: string; order: number; apply(ctx: PluginUdevRuleContext): void }): void;
}

interface PluginMachine {
  readonly clock: VirtualClock;
  readonly services: { host?: PluginHost };
}

interface PluginMissing {
  readonly what: string;
  readonly provider: string;
}

interface PluginMachineBuilder extends PluginMachine {
  registerCommand(spec: {
    readonly name: string;
    readonly providedBy: string;
    readonly run: (argv: readonly string[], ctx: PluginCommandContext) => Promise<number> | number;
    missing?(argv: readonly string[], machine: PluginMachine): PluginMissing | null;
  }): void;
}

const NAME = "@mp/daemon";

/** What one machine runs of this package. */
interface MachineDaemons {
  current: Multipathd | null;
  nextPid: number;
}

/** The daemons running on scenario machines (for tests and other plugins). */
export const machineMultipathd = new WeakMap<object, MachineDaemons>();

function running(st: MachineDaemons): Multipathd | null {
  const d = st.current;
  return d !== null && d.state() !== "shutdown" ? d : null;
}

/** The scenario machines model the kernel lab, so their processes cost what they cost there. */
const COSTS = LAB_CPU_COSTS;

/** Installs the `multipathd` and `multipath` commands and the udev rule on a machine. */
export const scenarioPlugin = {
  name: NAME,
  install(m: PluginMachineBuilder): void {
    const st: MachineDaemons = { current: null, nextPid: 240 };
    machineMultipathd.set(m, st);
    const needHost = (machine: PluginMachine): PluginMissing | null =>
      machine.services.host ? null : { what: "a SCSI host (SimHost)", provider: "@mp/fabric" };

    m.registerCommand({
      name: "multipathd",
      providedBy: NAME,
      missing: (_argv, machine) => needHost(machine),
      run: async (argv, ctx) => {
        const host = ctx.machine.services.host;
        if (!host) return 1;
        const inv = parseMultipathdArgs(argv.slice(1));
        if (inv.mode === "error") {
          ctx.io.stderr(inv.stderr);
          return inv.exitCode;
        }
        if (inv.mode === "interactive") return 0;
        if (inv.mode === "daemon") {
          await ctx.sleep(COSTS.processStart);
          if (running(st) !== null) return inv.foreground ? 1 : 0;
          const d = createMultipathd({
            host,
            pid: st.nextPid++,
            verbosity: inv.verbosity,
            bindingsReadOnly: inv.bindingsReadOnly,
            pollDmevents: inv.pollDmevents,
            cpu: COSTS,
            ...(inv.foreground ? { logSink: stderrWithTimeSink((t) => ctx.io.stderr(t)) } : {}),
          });
          st.current = d;
          void d.start();
          if (inv.foreground) return d.exited;
          return 0;
        }
        const d = running(st);
        if (d === null) {
          await ctx.sleep(COSTS.processStart);
          const r = renderClientOutcome({ kind: "connect-failed" });
          ctx.io.stdout(r.stdout);
          return r.exitCode;
        }
        const r = await d.client(argv.slice(1));
        if (r === null) return 0;
        ctx.io.stdout(r.stdout);
        if (r.stderr) ctx.io.stderr(r.stderr);
        return r.exitCode;
      },
    });

    m.registerCommand({
      name: "multipath",
      providedBy: NAME,
      missing: (_argv, machine) => needHost(machine),
      run: async (argv, ctx) => {
        const host = ctx.machine.services.host;
        if (!host) return 1;
        const d = running(st);
        return runMultipath(argv, {
          host,
          io: ctx.io,
          multipathd: d === null ? null : (cmd) => d.request(cmd),
          cpu: COSTS,
        });
      },
    });

    // 56-multipath.rules: `multipath -u` decides whether udev marks a disk as a multipath path.
    const host = m.services.host;
    host?.addUdevRule?.({
      name: "56-multipath.rules",
      order: 56,
      apply(rc) {
        if (rc.subsystem !== "block" || !/^(sd|dasd|nvme)/.test(rc.sysname)) return;
        if (rc.action !== "add" && rc.action !== "change") return;
        const env = rc.env;
        if (rc.devtype === "partition") {
          if (rc.db?.get("DM_MULTIPATH_DEVICE_PATH") === "1") {
            env.set("ID_FS_TYPE", "none");
            env.set("SYSTEMD_READY", "0");
          }
          return;
        }
        env.set("MPATH_SBIN_PATH", "/sbin");
        const v = udevMultipathU(host, rc.sysname, running(st) !== null);
        env.set("DM_MULTIPATH_DEVICE_PATH", v === "2" ? "1" : v);
        if (v === "1" || v === "2") {
          env.set("ID_FS_TYPE", "mpath_member");
          env.set("SYSTEMD_READY", "0");
        }
      },
    });
  },
};

/** `multipath -u <dev>` run by udev (a fresh tool process: its own config, quiet). */
function udevMultipathU(host: Host, sysname: string, daemonRunning: boolean): "0" | "1" | "2" {
  const loaded = loadConfig({ files: host.files, verbosity: 0 });
  if (!loaded.ok) return "0";
  const log = new Logger(host.clock, 0);
  const ctx = createLibmpContext({
    host,
    log,
    config: loaded.config,
    checkers: { create: () => "not-found" },
    prioritizers: { create: () => undefined },
    alua: {
      targetPortGroupSupport: (_t, _ms, done) => done(-1),
      targetPortGroup: (_t, _ms, done) => done(-1),
      asymmetricAccessState: (_t, _g, _ms, done) => done(-1),
    },
    isDaemon: false,
  });
  return multipathU(ctx, sysname, () => daemonRunning);
}

export { Logger };
