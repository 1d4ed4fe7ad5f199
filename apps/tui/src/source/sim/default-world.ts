/**
 * The dashboard's default simulated host: two FC HBAs (qla2xxx), a dual-controller LIO ALUA
 * array with four target ports and eight LUNs (8 maps × 4 paths), and a small EMC CLARiiON
 * (emc handler, two LUNs × 2 paths); the dm modules loaded, udev running, and a multipath.conf
 * with friendly names — the rest (failback immediate, no_path_retry, group_by_prio) comes from
 * the built-in hwtable entries of the two arrays, as on a real host.
 */
import { advanceAsync, NSEC_PER_SEC, type VirtualClock } from "@mp/dm-core";
import {
  createSimWorld,
  emcClariionArray,
  lioArray,
  MULTIPATH_HOST_MODULES,
  type SimWorld,
} from "@mp/fabric";
import { WorldBuildError } from "../../errors.js";

/** The multipath.conf of the default host. */
export const DEFAULT_MULTIPATH_CONF = `defaults {
\tuser_friendly_names yes
\tfind_multipaths no
\tpolling_interval 5
}
`;

/** Kernel modules a multipath host loads (as multipath-tools' systemd unit and udev would). */
export const HOST_MODULES = MULTIPATH_HOST_MODULES;

/** Options of {@link buildDefaultWorld}. */
export interface DefaultWorldOptions {
  readonly seed: number | string;
  /** LUNs of the LIO array (default 8). */
  readonly luns?: number;
  /** Add the EMC CLARiiON (default true). */
  readonly emc?: boolean;
  /** multipath.conf (default {@link DEFAULT_MULTIPATH_CONF}). */
  readonly multipathConf?: string;
}

/** Drives the clock until udev has nothing left to do (at most a minute of virtual time). */
export async function settleUdev(w: SimWorld): Promise<void> {
  const limit = w.clock.now() + 60 * NSEC_PER_SEC;
  while (!w.host.udev.settled() && w.clock.now() < limit) {
    const next = w.clock.nextTime();
    if (next === undefined) break;
    await advanceAsync(w.clock as VirtualClock, Math.max(0, next - w.clock.now()));
  }
}

/** Builds and boots the default host (no daemon yet). */
export async function buildDefaultWorld(o: DefaultWorldOptions): Promise<SimWorld> {
  const w = createSimWorld({
    seed: o.seed,
    kernelConfig: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false },
  });
  for (const m of HOST_MODULES) {
    const r = w.modprobe(m);
    if (!r.ok) throw new WorldBuildError(`modprobe ${m} failed: ${JSON.stringify(r)}`);
  }
  w.host.files.write("/etc/multipath.conf", o.multipathConf ?? DEFAULT_MULTIPATH_CONF);
  w.host.startUdev();
  await settleUdev(w);

  const f = w.fabric;
  const hba0 = f.addHba({ name: "hba0", transport: "fc", driver: "qla2xxx" });
  const hba1 = f.addHba({ name: "hba1", transport: "fc", driver: "qla2xxx" });
  const luns = o.luns ?? 8;
  const lio = lioArray(f, {
    name: "array0",
    product: "disk",
    luns: Array.from({ length: luns }, (_, i) => ({ lun: i, sizeMb: 1024 * (1 + (i % 4)) })),
    portsPerController: 2,
    serviceNs: 250_000,
    jitterNs: 100_000,
  });
  // Each HBA sees one port of each controller: every LUN has four paths, two per controller.
  const [a, b] = lio.controllers as [
    readonly (typeof lio.controllers)[0][number][],
    readonly (typeof lio.controllers)[0][number][],
  ];
  f.connect(hba0, a[0]!);
  f.connect(hba0, b[0]!);
  f.connect(hba1, a[1]!);
  f.connect(hba1, b[1]!);
  if (o.emc ?? true) {
    const emc = emcClariionArray(f, {
      name: "clariion",
      luns: [
        { lun: 0, sizeMb: 512 },
        { lun: 1, sizeMb: 512 },
      ],
      portsPerController: 1,
      serviceNs: 400_000,
      jitterNs: 150_000,
    });
    const [sa, sb] = emc.controllers;
    f.connect(hba0, sa![0]!);
    f.connect(hba1, sb![0]!);
  }
  const r = w.modprobe("qla2xxx");
  if (!r.ok) throw new WorldBuildError(`modprobe qla2xxx failed: ${JSON.stringify(r)}`);
  await settleUdev(w);
  return w;
}
