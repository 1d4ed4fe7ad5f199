import {
  advanceAsync,
  createRng,
  type DevT,
  Errno,
  type FileStore,
  type Host,
  type Kernel,
  type SysfsView,
  type VirtualClock,
} from "@mp/dm-core";
import type { SimHost } from "./host/sim-host.js";
import { blockdevMain } from "./tools/blockdev.js";
import { sgTursMain } from "./tools/sg-turs.js";
import type { ToolIo } from "./tools/tool-io.js";
import { udevadmMain } from "./tools/udevadm.js";
import { attachFabric, type FabricAttachment } from "./world.js";

/*
 * The fabric's contribution to the scenario machines of `mp conformance`, `mp scn` and
 * `mp shell`. The CLI discovers it as the `scenarioPlugin` export of @mp/fabric; the types
 * below are the parts of the CLI's MachineBuilder it uses, declared structurally so that the
 * fabric does not depend on the app.
 */

interface PluginCommandContext {
  readonly io: ToolIo & { flush(): void };
  readonly machine: PluginMachine;
  sleep(ns: number): Promise<void>;
}

interface PluginUdevControl {
  start(): Promise<void>;
  readonly running: boolean;
  settle(): Promise<void>;
}

interface PluginDeviceNodes {
  resolve(path: string): { readonly devt: DevT } | { readonly errno: number };
}

interface PluginServices {
  kernel?: unknown;
  host?: Host;
  sysfs?: SysfsView;
  files?: FileStore;
  udev?: PluginUdevControl;
  devices?: PluginDeviceNodes;
  openBlock?: Host["openBlock"];
}

interface PluginMachine {
  readonly clock: VirtualClock;
  readonly services: PluginServices;
}

interface PluginMachineBuilder extends PluginMachine {
  readonly commands: ReadonlyMap<string, unknown>;
  registerCommand(spec: {
    readonly name: string;
    readonly providedBy: string;
    readonly run: (argv: readonly string[], ctx: PluginCommandContext) => Promise<number> | number;
  }): void;
  registerDirective(
    kind: "udev",
    make: (previous: unknown) => {
      readonly providedBy: string;
      run(node: { readonly kind: "udev"; readonly line: number }, ctx: unknown): Promise<string>;
    },
  ): void;
}

const NAME = "@mp/fabric";

/** Drives the clock until udev's queue is empty (`udevadm settle --timeout=60`). */
async function settleUdev(clock: VirtualClock, host: SimHost): Promise<void> {
  const limit = clock.now() + 60_000_000_000;
  while (!host.udev.settled() && clock.now() < limit) {
    const next = clock.nextTime();
    if (next === undefined) break;
    await advanceAsync(clock, Math.max(0, next - clock.now()));
  }
}

/** The fabric attached to a scenario machine (for tests and other plugins). */
export const machineFabric = new WeakMap<object, FabricAttachment>();

/**
 * Installs the fabric on a machine whose dm plugin made the kernel: SCSI modules (`scsi_mod`,
 * `sd_mod`, `sg`, `scsi_debug`, FC HBA drivers), sysfs, udev (`@udev`), `/etc`, `/dev` through
 * udev's links, direct I/O honouring the SCSI device state, and the `udevadm` and `sg_turs`
 * commands.
 */
export const scenarioPlugin = {
  name: NAME,
  install(m: PluginMachineBuilder): void {
    const k = m.services.kernel as Kernel | undefined;
    if (!k || typeof (k as { uevents?: unknown }).uevents !== "object") {
      throw new Error("@mp/fabric needs the dm-core kernel (install the dm plugin first)");
    }
    const att = attachFabric({ kernel: k, rng: createRng("mp-conformance") });
    machineFabric.set(m, att);
    const host = att.host;
    const previousDevices = m.services.devices;
    m.services.host = host;
    m.services.sysfs = host.sysfs;
    m.services.files = host.files;
    m.services.udev = {
      start: async () => {
        host.startUdev();
        await settleUdev(m.clock, host);
      },
      get running() {
        return host.udev.running;
      },
      settle: () => settleUdev(m.clock, host),
    };
    m.services.devices = {
      resolve(path) {
        if (host.udev.running && path.startsWith("/dev/")) {
          const r = host.resolve(path);
          if (!("errno" in r)) return { devt: r.devt };
        }
        return previousDevices?.resolve(path) ?? { errno: Errno.ENOENT };
      },
    };
    m.services.openBlock = (dev) => {
      const r =
        typeof dev === "number"
          ? { devt: dev }
          : (m.services.devices?.resolve(dev.startsWith("/") ? dev : `/dev/${dev}`) ?? {
              errno: Errno.ENOENT,
            });
      if ("errno" in r) return r;
      return host.openBlock(r.devt);
    };
    m.registerDirective("udev", () => ({
      providedBy: NAME,
      async run() {
        await m.services.udev!.start();
        return "";
      },
    }));
    m.registerCommand({
      name: "udevadm",
      providedBy: NAME,
      run: (argv, ctx) => udevadmMain(argv, host, ctx.io),
    });
    // The dm plugin may bring its own blockdev (loop devices); the fabric's knows SCSI disks too.
    if (!m.commands.has("blockdev")) {
      m.registerCommand({
        name: "blockdev",
        providedBy: NAME,
        run: (argv, ctx) => blockdevMain(argv, host, ctx.io),
      });
    }
    m.registerCommand({
      name: "sg_turs",
      providedBy: NAME,
      run: (argv, ctx) =>
        sgTursMain(argv, { host, now: () => m.clock.now(), sleep: (ns) => ctx.sleep(ns) }, ctx.io),
    });
  },
};
