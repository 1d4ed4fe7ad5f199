import type { ScsiCommand } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { cdb, fcWorld, outcome, rw10, sgIo } from "../../test/fc-world.js";
import type { AluaStateName } from "../hardware/alua.js";
import { Ua } from "../hardware/unit-attention.js";

const read16 = (lba: number, blocks: number) =>
  cdb(
    0x88,
    0,
    0,
    0,
    0,
    0,
    (lba >>> 24) & 0xff,
    (lba >>> 16) & 0xff,
    (lba >>> 8) & 0xff,
    lba & 0xff,
    0,
    0,
    0,
    blocks,
    0,
    0,
  );
const rd = (c: Uint8Array): ScsiCommand => ({
  cdb: c,
  direction: "from-device",
  allocationLength: 4096,
  timeoutMs: 30_000,
});
const wr = (c: Uint8Array, fill: number): ScsiCommand => ({
  cdb: c,
  direction: "to-device",
  dataOut: new Uint8Array(4096).fill(fill),
  timeoutMs: 30_000,
});
const none = (c: Uint8Array): ScsiCommand => ({ cdb: c, direction: "none", timeoutMs: 30_000 });

type Step = [dev: string, cmd: ScsiCommand] | ((w: ReturnType<typeof fcWorld>) => void);

/** Runs `steps` and records each command's outcome and the data it read. */
async function transcript(fast: boolean, steps: readonly Step[]): Promise<string[]> {
  const w = fcWorld("lio");
  const p = w.built.array.personality;
  expect(p.plainMediaAccess).toBe(true);
  if (!fast) Object.defineProperty(p, "plainMediaAccess", { value: false });
  const out: string[] = [];
  for (const s of steps) {
    if (typeof s === "function") {
      s(w);
      continue;
    }
    const r = await sgIo(w, s[0], s[1]);
    const data = "errno" in r || !r.data ? "" : Buffer.from(r.data).toString("hex").slice(0, 16);
    out.push(`${s[0]} ${outcome(r)} ${"errno" in r ? "" : r.resid} ${data}`);
  }
  return out;
}

const media = (dev: string, fill: number): Step[] => [
  [dev, wr(rw10(true, 8, 8), fill)],
  [dev, rd(rw10(false, 8, 8))],
  [dev, rd(read16(8, 8))],
  [dev, rd(rw10(false, 131_071, 8))],
];

describe("the target's READ/WRITE fast path decides every command as the general checks do", () => {
  const states: AluaStateName[] = [
    "active/optimized",
    "active/non-optimized",
    "standby",
    "unavailable",
    "lba-dependent",
    "transitioning",
    "offline",
  ];
  for (const state of states)
    it(`controller B's group ${state}; then a pending unit attention, a reservation, a stopped LU`, async () => {
      // Group 1 is controller A's (sda, sdc); B's paths (sdb, sdd) stay active/optimized.
      const steps: Step[] = [
        ...media("sda", 1),
        ...media("sdb", 2),
        (w) => w.built.array.lus[0]!.alua!.setState(1, state, 0),
        ...media("sda", 3),
        ...media("sdb", 4),
        (w) => w.built.array.lus[0]!.raiseUaAll(Ua.CAPACITY_CHANGED),
        ...media("sdb", 5),
        ["sdb", none(cdb(0x16, 0, 0, 0, 0, 0))],
        ...media("sdb", 6),
        ...media("sdd", 7),
        ["sdb", none(cdb(0x17, 0, 0, 0, 0, 0))],
        ["sdd", none(cdb(0x1b, 0, 0, 0, 0, 0))],
        ...media("sdb", 8),
        ["sdd", none(cdb(0x1b, 0, 0, 0, 1, 0))],
        ...media("sdb", 9),
        ...media("sda", 10),
        // Back to active/optimized: a path that kept the old state's verdict must see the new one.
        (w) => w.built.array.lus[0]!.alua!.setState(1, "active/optimized", 0),
        ...media("sda", 11),
        ...media("sdc", 12),
      ];
      const fast = await transcript(true, steps);
      expect(fast).toEqual(await transcript(false, steps));
      // The walk reaches the general path's refusals too, not only good reads.
      const active =
        state === "active/optimized" || state === "active/non-optimized" || state === "lba-dependent";
      expect(fast.some((l) => l.startsWith("sda 2/04/"))).toBe(!active);
      expect(fast.some((l) => l.includes("status 0x18"))).toBe(true);
      expect(fast.some((l) => l.startsWith("sdb 6/2a/09"))).toBe(true);
      expect(fast.some((l) => l.startsWith("sdb 2/04/02"))).toBe(true);
    });

  it("is off for personalities with vendor READ/WRITE rules", async () => {
    for (const kind of ["emc", "rdac", "hp"] as const)
      expect(fcWorld(kind).built.array.personality.plainMediaAccess).toBe(false);
  });
});
