/**
 * Test support: a simulated machine like the conformance scenarios' (scsi_debug disks behind
 * implicit ALUA, udev running, the dm modules loaded), and helpers to drive its clock.
 */
import { advanceAsync, Bio, NSEC_PER_SEC, settle } from "@mp/dm-core";
import { createSimWorld, MULTIPATH_HOST_MODULES, type SimWorld } from "@mp/fabric";
import type { CpuProfile } from "../../src/libmultipath/cpu.js";
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
  for (const m of MULTIPATH_HOST_MODULES) {
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
export async function startDaemon(
  w: SimWorld,
  o: { pid?: number; cpu?: CpuProfile } = {},
): Promise<Multipathd> {
  const d = createMultipathd({ host: w.host, pid: o.pid ?? 240, ...(o.cpu ? { cpu: o.cpu } : {}) });
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

/** `defaults` for a test: the scenario ones plus `extra` lines. */
export function config(extra: string, sections = ""): string {
  return (
    SCENARIO_DEFAULTS.replace(
      "}\n",
      `${extra
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => `\t${l.trim()}\n`)
        .join("")}}\n`,
    ) + sections
  );
}

/** Writes a sysfs attribute as `echo VALUE > PATH` does. */
export function echo(w: SimWorld, path: string, value: string): void {
  const r = w.host.sysfs.write(path, `${value}\n`);
  if (r !== 0) throw new Error(`echo ${value} > ${path}: errno ${r}`);
}

/** The map's table or status line as `dmsetup table|status NAME` prints its parameters. */
export function dm(w: SimWorld, name: string, kind: "table" | "info" = "table"): string {
  const r = w.host.dm.status(name, { kind });
  if (!r.ok) throw new Error(`dm ${kind} ${name}: errno ${r.errno}`);
  return r.value.lines.map((l) => `${l.start} ${l.length} ${l.type} ${l.params}`).join("\n");
}

/**
 * Reads `bytes` at sector 0 of a device with O_DIRECT (`dd iflag=direct`), driving the clock
 * until it completes: the block status (0 = OK), or -1 when it has not completed within
 * `limitSecs` (a queueing map).
 */
export async function directRead(w: SimWorld, dev: string, bytes = 4096, limitSecs = 120): Promise<number> {
  const r = await settle(w.clock, startRead(w, dev, bytes), limitSecs * NSEC_PER_SEC);
  return r.settled ? r.value : -1;
}

/** Starts a direct read; the promise settles when it completes (the caller drives the clock). */
export function startRead(w: SimWorld, dev: string, bytes = 4096): Promise<number> {
  const h = w.host.openBlock(dev);
  if ("errno" in h) throw new Error(`open ${dev}: errno ${h.errno}`);
  return new Promise((resolve) => {
    const bio = new Bio();
    bio.bytes = bytes;
    bio.data = new Uint8Array(bytes);
    bio.endIo = (b) => {
      h.close();
      resolve(b.status);
    };
    h.submit(bio);
  });
}

/** `multipathd show paths format "%d %t %T %o"` rows keyed by device: `dm_st chk_st dev_st`. */
export async function pathStates(w: SimWorld, d: Multipathd): Promise<Record<string, string>> {
  const r = await mpd(w, d, "show", "paths", "raw", "format", "%d %t %T %o");
  const out: Record<string, string> = {};
  for (const line of r.out.split("\n")) {
    const [dev, ...rest] = line.trim().split(/\s+/);
    if (dev) out[dev] = rest.join(" ");
  }
  return out;
}
