/**
 * Test support: a simulated machine like the conformance scenarios' (scsi_debug disks behind
 * implicit ALUA, udev running, the dm modules loaded), and helpers to drive its clock.
 */
import { advanceAsync, NSEC_PER_SEC, settle } from "@mp/dm-core";
import { createSimWorld, type SimWorld } from "@mp/fabric";
import { createMultipathd, type Multipathd } from "../../src/multipathd/multipathd.js";

/** The `defaults` section the conformance scenarios use. */
export const SCENARIO_DEFAULTS = `defaults {
\tuser_friendly_names yes
\tfind_multipaths no
\tpolling_interval 2
\tmax_polling_interval 4
}
`;

/** Drives the clock until udev has nothing left to do. */
export async function settleUdev(w: SimWorld): Promise<void> {
  const limit = w.clock.now() + 60 * NSEC_PER_SEC;
  while (!w.host.udev.settled() && w.clock.now() < limit) {
    const next = w.clock.nextTime();
    if (next === undefined) break;
    await advanceAsync(w.clock, Math.max(0, next - w.clock.now()));
  }
}

/** Options of {@link scsiDebugWorld}. */
export interface ScsiDebugWorldOptions {
  readonly hosts?: number;
  readonly luns?: number;
  readonly sizeMb?: number;
  readonly config?: string;
  readonly seed?: number;
}

/** A world with the scenario modules, a config, udev, and scsi_debug disks. */
export async function scsiDebugWorld(o: ScsiDebugWorldOptions = {}): Promise<SimWorld> {
  const w = createSimWorld({
    seed: o.seed ?? 1,
    kernelConfig: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false },
  });
  for (const m of [
    "sd_mod",
    "sg",
    "scsi_dh_alua",
    "scsi_dh_emc",
    "scsi_dh_rdac",
    "dm-multipath",
    "dm-round-robin",
    "dm-queue-length",
    "dm-service-time",
  ]) {
    const r = w.modprobe(m);
    if (!r.ok) throw new Error(`modprobe ${m} failed: ${JSON.stringify(r)}`);
  }
  w.host.files.write("/etc/multipath.conf", o.config ?? SCENARIO_DEFAULTS);
  w.host.startUdev();
  await settleUdev(w);
  const r = w.modprobe(
    "scsi_debug",
    `add_host=${o.hosts ?? 2}`,
    "num_tgts=1",
    `max_luns=${o.luns ?? 1}`,
    "vpd_use_hostno=0",
    `dev_size_mb=${o.sizeMb ?? 16}`,
  );
  if (!r.ok) throw new Error(`modprobe scsi_debug failed: ${JSON.stringify(r)}`);
  await settleUdev(w);
  return w;
}

/** Starts a daemon on the world and waits for its first configuration. */
export async function startDaemon(w: SimWorld, pid = 240): Promise<Multipathd> {
  const d = createMultipathd({ host: w.host, pid });
  const r = await settle(w.clock, d.start(), 60 * NSEC_PER_SEC);
  if (!r.settled) throw new Error("multipathd did not start");
  return d;
}

/** Runs `multipathd ARGS` as the client and returns its output. */
export async function mpd(
  w: SimWorld,
  d: Multipathd,
  ...argv: string[]
): Promise<{ out: string; rc: number }> {
  const r = await settle(w.clock, d.client(argv), 120 * NSEC_PER_SEC);
  if (!r.settled || r.value === null) throw new Error(`multipathd ${argv.join(" ")}: no result`);
  return { out: r.value.stdout + r.value.stderr, rc: r.value.exitCode };
}

/** Advances virtual time by `secs` seconds, letting the daemon run. */
export function sleep(w: SimWorld, secs: number): Promise<void> {
  return advanceAsync(w.clock, secs * NSEC_PER_SEC);
}

/** Advances time in 1 s steps until `pred` holds (or `secs` passed); true when it held. */
export async function until(
  w: SimWorld,
  secs: number,
  pred: () => boolean | Promise<boolean>,
): Promise<boolean> {
  for (let i = 0; i <= secs; i++) {
    if (await pred()) return true;
    await sleep(w, 1);
  }
  return false;
}
