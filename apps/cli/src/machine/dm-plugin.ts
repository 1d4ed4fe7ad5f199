import type { BlockDevice, DevT } from "@mp/dm-core";
import { createKernel, createRng, DM_MAJOR, devMajor, devMinor, Errno, mkdev, type Rng } from "@mp/dm-core";
import { expectedProvider } from "../conformance/capabilities.js";
import { type DdEnv, ddMain } from "../tools/dd/dd.js";
import { type DmsetupEnv, dmsetupMain } from "../tools/dmsetup/dmsetup.js";
import type { MapperNodes } from "../tools/dmsetup/libdm.js";
import type {
  CommandContext,
  DeviceNodes,
  MachineBuilder,
  MachinePlugin,
  ScenarioMachine,
  SimKernel,
} from "./machine.js";
import { MissingCapability, ScenarioAbort } from "./machine.js";

/** The kernel configuration of the reference machine (Debian 12's 6.1). */
export const DEBIAN_61_CONFIG = { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false } as const;

/** The read-ahead the kernel gives a new dm device (128 KiB), in sectors. */
export const DEFAULT_READ_AHEAD_SECTORS = 256;

/**
 * `/dev` as dmsetup makes it before udev runs: `/dev/mapper/NAME` for every mapped device,
 * `/dev/NAME` for every disk, `/dev/block/M:m`.
 */
export function kernelDeviceNodes(kernel: SimKernel, nodes: MapperNodes): DeviceNodes {
  return {
    resolve(path) {
      if (path.startsWith("/dev/mapper/")) {
        const name = path.slice("/dev/mapper/".length);
        if (name === "" || name.includes("/") || !nodes.has(name)) return { errno: Errno.ENOENT };
        const e = kernel.dm.list().find((x) => x.name === name);
        // A node left behind by a device removed under libdm's feet points nowhere.
        return e ? { devt: e.devt } : { errno: Errno.ENXIO };
      }
      const m = /^\/dev\/block\/(\d+):(\d+)$/.exec(path);
      if (m) {
        const devt = mkdev(Number(m[1]), Number(m[2]));
        return kernel.block.get(devt) ? { devt } : { errno: Errno.ENOENT };
      }
      if (path.startsWith("/dev/") && !path.slice(5).includes("/")) {
        const d = kernel.block.byName(path.slice(5));
        return d ? { devt: d.devt } : { errno: Errno.ENOENT };
      }
      return { errno: Errno.ENOENT };
    },
  };
}

/** A set of /dev/mapper node names. */
export function mapperNodeSet(): MapperNodes {
  const names = new Set<string>();
  return {
    add: (n) => {
      names.add(n);
    },
    remove: (n) => {
      names.delete(n);
    },
    rename: (from, to) => {
      if (names.delete(from)) names.add(to);
    },
    has: (n) => names.has(n),
  };
}

/** dmsetup's view of a machine. */
export function dmsetupEnv(m: ScenarioMachine, stdin = "", random?: Rng): DmsetupEnv {
  const kernel = m.services.kernel!;
  const udev = m.services.udev;
  return {
    dm: kernel.dm,
    dmMajor: DM_MAJOR,
    blockName: (devt) => kernel.block.get(devt)?.name,
    statBlock: (path) => {
      const r = m.services.devices?.resolve(path);
      return r && "devt" in r ? r.devt : undefined;
    },
    readFile: (path) => m.services.files?.read(path) ?? null,
    // BLKRAGET/BLKRASET: the disk's bdi read-ahead, in sectors; null goes back to the default.
    readAhead: (devt) => kernel.block.readAheadKb(devt) * 2,
    setReadAhead: (devt, sectors) => {
      if (sectors === null) kernel.block.updateReadahead(devt);
      // The kernel keeps whole pages.
      else kernel.block.setReadAheadKb(devt, Math.floor(sectors / 8) * 4);
    },
    udevWait: udev?.running ? () => udev.settle() : undefined,
    // Scenarios run dmsetup with DM_DISABLE_UDEV=1 until udev starts.
    udevDisabled: !udev?.running,
    ...(random ? { random16: () => random.int(0, 0xffff) } : {}),
    // With udev running, udev makes the nodes; before, libdm does.
    nodes: udev?.running ? undefined : m.services.mapperNodes,
    stdin,
  };
}

/** dd's view of a machine. */
export function ddEnv(m: ScenarioMachine, stdin = ""): DdEnv {
  const kernel = m.services.kernel!;
  return {
    now: () => m.clock.now(),
    stdin,
    open(path, mode) {
      if (path === "/dev/zero" || path === "/dev/null") {
        // Character devices refuse O_DIRECT.
        if (mode.direct) return { errno: Errno.EINVAL };
        return { kind: path === "/dev/zero" ? "zero" : "null" };
      }
      if (!path.startsWith("/dev/")) return { unsupported: path };
      const r = m.services.devices?.resolve(path) ?? { errno: Errno.ENOENT };
      if ("errno" in r) return r;
      const devt = r.devt;
      // Through the host's openBlock when a plugin provides one (it knows e.g. SCSI device states).
      const h = m.services.openBlock?.(devt);
      if (h && "errno" in h) return h;
      const dev = kernel.block.get(devt);
      let opened: BlockDevice | undefined;
      if (!h) {
        opened = kernel.block.open(devt);
        if (!opened) return { errno: Errno.ENXIO };
      }
      // Without O_DIRECT, I/O goes through the kernel's page cache of the device.
      const disk = dev ?? opened;
      const buffered = !mode.direct && disk ? kernel.pageCache.open(disk) : undefined;
      const pc = kernel.pageCache;
      let closed = false;
      return {
        kind: "block",
        dev: h
          ? {
              logicalBlockSize: h.logicalBlockSize,
              sizeSectors: () => h.sizeSectors(),
              readOnly: () => dev?.readOnly() ?? false,
              submit: (bio) => h.submit(bio),
            }
          : opened!,
        ...(buffered ? { buffered } : {}),
        beforeDirect: (offset, bytes, write) => pc.beforeDirect(devt, offset, bytes, write),
        close() {
          if (closed) return;
          closed = true;
          if (h) h.close();
          else kernel.block.close(devt);
        },
      };
    },
  };
}

function requireKernel(ctx: CommandContext): SimKernel {
  const k = ctx.machine.services.kernel;
  if (!k) throw new MissingCapability({ what: "a kernel", provider: "@mp/dm-core" });
  return k;
}

/**
 * The device-mapper machine: dm-core's kernel (Debian 6.1 configuration) on the machine's virtual
 * clock, loop devices, `/dev` nodes, and the `dmsetup` and `dd` tools.
 */
export const dmPlugin: MachinePlugin = {
  name: "@mp/dm-core",
  install(m: MachineBuilder) {
    const kernel = createKernel({ clock: m.clock, config: DEBIAN_61_CONFIG });
    m.services.kernel = kernel;
    m.services.loop = {
      attach: (index, sizeBytes) => {
        const r = kernel.losetup(`loop${index}`, sizeBytes);
        return r.ok ? 0 : r.errno;
      },
    };
    const nodes = mapperNodeSet();
    m.services.mapperNodes = nodes;
    m.services.devices = kernelDeviceNodes(kernel, nodes);
    m.services.openBlock = (dev) => {
      const r =
        typeof dev === "number"
          ? { devt: dev }
          : (m.services.devices?.resolve(dev.startsWith("/") ? dev : `/dev/${dev}`) ?? {
              errno: Errno.ENOENT,
            });
      if ("errno" in r) return r;
      const d = kernel.block.open(r.devt);
      if (!d) return { errno: Errno.ENXIO };
      let open = true;
      return {
        devt: d.devt,
        logicalBlockSize: d.logicalBlockSize,
        sizeSectors: () => d.sizeSectors(),
        submit: (bio) => d.submit(bio),
        close: () => {
          if (!open) return;
          open = false;
          kernel.block.close(d.devt);
        },
      };
    };

    // libdm's /dev/urandom for udev cookies: one stream per machine.
    const cookieRng = createRng("libdm-udev-cookie");
    m.registerCommand({
      name: "dmsetup",
      providedBy: "@mp/cli",
      run: (argv, ctx) => {
        requireKernel(ctx);
        return dmsetupMain(argv, ctx.io, dmsetupEnv(ctx.machine, ctx.stdin, cookieRng), (ns) =>
          ctx.sleep(ns),
        );
      },
    });
    m.registerCommand({
      name: "dd",
      providedBy: "@mp/cli",
      run: (argv, ctx) => {
        requireKernel(ctx);
        return ddMain(argv, ctx.io, ddEnv(ctx.machine, ctx.stdin));
      },
    });

    m.registerDirective("loop", () => ({
      providedBy: "@mp/dm-core",
      async run(node, ctx) {
        const loop = ctx.machine.services.loop;
        if (!loop) throw new MissingCapability({ what: "loop devices", provider: "@mp/dm-core" });
        if (loop.attach(node.index, node.sizeBytes) !== 0) throw new ScenarioAbort("@loop: losetup failed");
        await ctx.advance(0);
        return "";
      },
    }));

    m.registerDirective("modprobe", () => ({
      providedBy: "@mp/dm-core",
      async run(node, ctx) {
        const params = new Map<string, string>();
        for (const p of node.params) {
          const eq = p.indexOf("=");
          params.set(eq < 0 ? p : p.slice(0, eq), eq < 0 ? "" : p.slice(eq + 1));
        }
        // A module no plugin offered, from a package expected to bring it: not modelled here.
        const provider = expectedProvider("module", node.module);
        if (!kernel.modules.has(node.module) && provider !== "an unknown package")
          throw new MissingCapability({ what: node.module, provider });
        const r = kernel.modules.load(node.module, params);
        let out = "";
        if (!r.ok) out = `${r.message}\n[modprobe ${node.module} failed: rc=1]\n`;
        await ctx.advance(0);
        const udev = ctx.machine.services.udev;
        if (udev?.running) await udev.settle();
        return out;
      },
    }));
  },
};

/** `254:0` → "254:0" (for messages). */
export function devno(devt: DevT): string {
  return `${devMajor(devt)}:${devMinor(devt)}`;
}
