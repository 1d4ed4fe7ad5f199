/**
 * Simulated machines the benchmarks run on: a LIO ALUA array behind two FC HBAs, each HBA zoned
 * to one port of each controller, so every LUN has four paths (four sd disks), as on a typical
 * dual-fabric SAN.
 */
import { type BlockDevice, formatDevT } from "@mp/dm-core";
import { createSimWorld, lioArray, type SimWorld } from "@mp/fabric";

/** Options of {@link buildSan}. */
export interface SanOptions {
  readonly seed?: number | string;
  readonly luns: number;
  /** LUN size, MiB (default 1024). */
  readonly lunMb?: number;
  /** Per-command service time of a LUN, ns (default 100 µs: an SSD-backed array). */
  readonly serviceNs?: number;
  /** Commands a LUN serves at once (default 64). */
  readonly queueDepth?: number;
  /** Load the SCSI drivers (scan, sd disks) now. Default true. */
  readonly scan?: boolean;
  /** Extra options for the world (the daemon's `multipath -u` hook, udev rules …). */
  readonly world?: Partial<Parameters<typeof createSimWorld>[0]>;
}

/** A SAN: the world and, after the scan, the path disks of each LUN in scan order. */
export interface San {
  readonly world: SimWorld;
  /** Loads `sd_mod` and the HBA driver (the scan) and runs the clock until it settles. */
  scan(): void;
  /** sd disks grouped per LUN (4 each), once scanned. */
  pathsByLun(): BlockDevice[][];
}

/** Builds the hardware of a SAN with `luns` LUNs and four paths to each. */
export function buildSan(o: SanOptions): San {
  const world = createSimWorld({ seed: o.seed ?? "mp-bench", ...o.world });
  const f = world.fabric;
  const h0 = f.addHba({ name: "hba0", transport: "fc", driver: "qla2xxx", canQueue: 4096 });
  const h1 = f.addHba({ name: "hba1", transport: "fc", driver: "qla2xxx", canQueue: 4096 });
  const luns = Array.from({ length: o.luns }, (_, lun) => ({ lun, sizeMb: o.lunMb ?? 1024 }));
  const { controllers } = lioArray(f, {
    name: "array0",
    luns,
    serviceNs: o.serviceNs ?? 100_000,
    queueDepth: o.queueDepth ?? 64,
  });
  f.connect(h0, controllers[0]![0]!);
  f.connect(h0, controllers[1]![0]!);
  f.connect(h1, controllers[0]![1]!);
  f.connect(h1, controllers[1]![1]!);
  let scanned = false;
  const san: San = {
    world,
    scan() {
      if (scanned) return;
      scanned = true;
      for (const m of ["sd_mod", "qla2xxx"]) {
        const r = world.modprobe(m);
        if (!r.ok) throw new Error(`modprobe ${m}: errno ${r.errno}`);
      }
      world.clock.runUntilIdle(50_000_000);
    },
    pathsByLun() {
      const byWwid = new Map<number, BlockDevice[]>();
      for (const sdev of world.scsi.devices()) {
        const disk = sdev.sd;
        if (!disk) continue;
        let list = byWwid.get(sdev.lun);
        if (!list) byWwid.set(sdev.lun, (list = []));
        list.push(disk);
      }
      return [...byWwid.entries()].sort((x, y) => x[0] - y[0]).map(([, v]) => v);
    },
  };
  if (o.scan !== false) san.scan();
  return san;
}

/**
 * Creates a one-group (multibus) multipath map over `paths` with `selector`, as
 * `multipath -p multibus` would, and returns its dm disk.
 */
export function createMultibusMap(
  world: SimWorld,
  name: string,
  paths: readonly BlockDevice[],
  selector = "service-time",
): BlockDevice {
  const k = world.kernel;
  for (const m of ["dm_mod", "dm-multipath", `dm-${selector}`]) {
    if (k.modules.isLoaded(m)) continue;
    const r = k.modules.load(m);
    if (!r.ok) throw new Error(`modprobe ${m}: errno ${r.errno}`);
  }
  const args = selector === "service-time" ? "1 1" : "1";
  const nargs = selector === "service-time" ? 2 : 1;
  const params = `0 0 1 1 ${selector} 0 ${paths.length} ${nargs} ${paths.map((p) => `${formatDevT(p.devt)} ${args}`).join(" ")}`;
  const size = paths[0]!.sizeSectors();
  const c = k.dm.create(name);
  if (!c.ok) throw new Error(`dm create ${name}: errno ${c.errno}`);
  const l = k.dm.load(name, [{ start: 0, length: size, type: "multipath", params }]);
  if (!l.ok) throw new Error(`dm load ${name}: errno ${l.errno}`);
  const r = k.dm.resume(name);
  if (!r.ok) throw new Error(`dm resume ${name}: errno ${r.errno}`);
  const dev = k.block.get(c.value.devt);
  if (!dev) throw new Error(`${name}: no block device`);
  return dev;
}
