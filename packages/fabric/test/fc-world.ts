import { Bio, type BlkStatus, ReqOp, type ScsiCommand, type ScsiResult, settle } from "@mp/dm-core";
import type { Hba } from "../src/hardware/fabric.js";
import type { BuiltArray } from "../src/profiles/array-builder.js";
import { emcClariionArray } from "../src/profiles/emc-clariion.js";
import { hpSwArray } from "../src/profiles/hp-sw.js";
import { lioArray } from "../src/profiles/lio.js";
import { netappRdacArray } from "../src/profiles/netapp-rdac.js";
import { createSimWorld, type SimWorld } from "../src/world.js";

/** A world with one dual-controller array and two FC HBAs, each zoned to one port per controller. */
export interface FcWorld extends SimWorld {
  readonly built: BuiltArray;
  readonly hbas: readonly Hba[];
}

/**
 * `lio-ap`: B in standby, an STPG changes only the groups it names and answers when the 50 ms
 * transition is over (LIO); `ap-moves`: an array that moves ownership (the old active/optimized
 * group goes to standby) and answers STPG at once, transitioning meanwhile.
 */
export type ArrayKind = "lio" | "lio-ap" | "ap-moves" | "emc" | "rdac" | "hp";

/**
 * Paths: host0 → A0 (target 0) = sda 0:0:0:0, host0 → B0 (target 1) = sdb 0:0:1:0,
 * host1 → A0 = sdc 1:0:0:0, host1 → B0 = sdd 1:0:1:0. LUN 0 is owned by controller A.
 */
export function fcWorld(
  kind: ArrayKind = "lio",
  seed: number | string = 1,
  extra: { jitterNs?: number } = {},
): FcWorld {
  const w = createSimWorld({ seed });
  const o = {
    name: "array0",
    luns: [{ lun: 0, sizeMb: 64, owner: 0 as const }],
    portsPerController: 1,
    ...extra,
  };
  const built =
    kind === "lio"
      ? lioArray(w.fabric, o)
      : kind === "lio-ap"
        ? lioArray(w.fabric, { ...o, mode: "active-passive", transitionNs: 50_000_000 })
        : kind === "ap-moves"
          ? lioArray(w.fabric, {
              ...o,
              mode: "active-passive",
              transitionNs: 50_000_000,
              stpgMovesOthers: true,
              stpgWaitsTransition: false,
            })
          : kind === "emc"
            ? emcClariionArray(w.fabric, o)
            : kind === "rdac"
              ? netappRdacArray(w.fabric, o)
              : hpSwArray(w.fabric, o);
  const hbas = [0, 1].map((i) => w.fabric.addHba({ name: `hba${i}`, transport: "fc", driver: "qla2xxx" }));
  for (const h of hbas) for (const c of built.controllers) w.fabric.connect(h, c[0]!);
  for (const m of [
    "sd_mod",
    "sg",
    "scsi_dh_alua",
    "scsi_dh_emc",
    "scsi_dh_rdac",
    "scsi_dh_hp_sw",
    "qla2xxx",
  ]) {
    const r = w.modprobe(m);
    if (!r.ok) throw new Error(`modprobe ${m}: ${r.message}`);
  }
  w.clock.advance(1e9);
  return { ...w, built, hbas };
}

/** SG_IO through the host, the clock driven until it answers. */
export async function sgIo(
  w: SimWorld,
  dev: string,
  cmd: ScsiCommand,
): Promise<ScsiResult | { errno: number }> {
  const p = new Promise<ScsiResult | { errno: number }>((resolve) => w.host.sgIo(dev, cmd, resolve));
  const r = await settle(w.clock, p, 600e9);
  if (!r.settled) throw new Error("SG_IO did not complete");
  return r.value;
}

export function cdb(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** A 512-byte-block READ(10)/WRITE(10) of `blocks` at `lba`. */
export function rw10(write: boolean, lba: number, blocks: number): Uint8Array {
  return cdb(
    write ? 0x2a : 0x28,
    0,
    (lba >>> 24) & 0xff,
    (lba >>> 16) & 0xff,
    (lba >>> 8) & 0xff,
    lba & 0xff,
    0,
    0,
    blocks,
    0,
  );
}

/** The sense key/ASC/ASCQ of a result as "k/asc/ascq" hex, or the status. */
export function outcome(r: ScsiResult | { errno: number }): string {
  if ("errno" in r) return `errno ${r.errno}`;
  if (r.hostStatus !== 0) return `host 0x${r.hostStatus.toString(16)}`;
  if (r.status === 2 && r.sense)
    return `${r.sense.key.toString(16)}/${r.sense.asc.toString(16).padStart(2, "0")}/${r.sense.ascq.toString(16).padStart(2, "0")}`;
  return r.status === 0 ? "good" : `status 0x${r.status.toString(16)}`;
}

/** A direct-I/O bio through `host.openBlock`, the clock driven until it completes. */
export async function blockIo(
  w: SimWorld,
  dev: string,
  op: "read" | "write",
  sector: number,
  data: Uint8Array,
  limitNs = 600e9,
): Promise<{ status: BlkStatus | "open-failed"; elapsedNs: number }> {
  const h = w.host.openBlock(dev);
  if ("errno" in h) return { status: "open-failed", elapsedNs: 0 };
  const t0 = w.clock.now();
  const b = new Bio();
  b.op = op === "read" ? ReqOp.READ : ReqOp.WRITE;
  b.sector = sector;
  b.bytes = data.length;
  b.data = data;
  const p = new Promise<BlkStatus>((resolve) => {
    b.endIo = (x) => resolve(x.status);
    h.submit(b);
  });
  const r = await settle(w.clock, p, limitNs);
  h.close();
  if (!r.settled) throw new Error(`${op} on ${dev} did not complete`);
  return { status: r.value, elapsedNs: w.clock.now() - t0 };
}
