import { createAnaPrioritizer, type PrioPath } from "@mp/checkers";
import { createRng } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { AnaState } from "../nvme/ana.js";
import { createSimWorld, type SimWorld } from "../world.js";
import { type BuiltNvmeArray, nvmeArray } from "./nvme-array.js";

function arrayWorld(
  multipath: boolean,
  mode?: "active-active" | "active-passive",
): SimWorld & { a: BuiltNvmeArray } {
  const w = createSimWorld({ seed: 5 });
  expect(w.modprobe("nvme_core", `multipath=${multipath ? "Y" : "N"}`).ok).toBe(true);
  for (const m of ["nvme_fabrics", "nvme_tcp"]) expect(w.modprobe(m).ok).toBe(true);
  const a = nvmeArray(w.fabric, {
    name: "aff0",
    namespaces: [
      { nsid: 1, sizeMb: 64, owner: 0 },
      { nsid: 2, sizeMb: 64, owner: 1 },
    ],
    portsPerController: 1,
    ...(mode ? { mode } : {}),
  });
  for (const c of a.controllers)
    for (const port of c) expect("errno" in w.nvme.connect({ port })).toBe(false);
  w.clock.advance(1e9);
  return { ...w, a };
}

const prio = (w: SimWorld, dev: string) =>
  new Promise<number>((resolve) => {
    const pp: PrioPath = {
      dev,
      bus: "nvme",
      sgId: { hostNo: 0, channel: 0, scsiId: 0, lun: 1, protoId: 0, transportId: 0 },
      serial: "",
      tgtNodeName: "",
      fdValid: true,
    };
    createAnaPrioritizer().getprio(
      pp,
      "",
      30_000,
      { host: w.host, log: () => {}, rng: createRng(1) },
      resolve,
    );
  });

describe("the NVMe array profile (ONTAP-like HA pair)", () => {
  it("identifies as NetApp ONTAP Controller, NGUID-based wwids, one ANA group per controller", () => {
    const w = arrayWorld(false);
    const sys = w.host.sysfs;
    expect(sys.read("/sys/class/nvme/nvme0/model")).toBe(`${"NetApp ONTAP Controller".padEnd(40)}\n`);
    expect(sys.read("/sys/block/nvme0n1/wwid")).toMatch(/^eui\.[0-9a-f]{32}\n$/);
    expect(sys.read("/sys/block/nvme0n1/wwid")).toBe(sys.read("/sys/block/nvme1n1/wwid"));
    expect(sys.read("/sys/block/nvme0n1/uuid")).toBe(sys.read("/sys/block/nvme0n1/nguid"));
    expect([sys.read("/sys/block/nvme0n1/ana_grpid"), sys.read("/sys/block/nvme0n2/ana_grpid")]).toEqual([
      "1\n",
      "2\n",
    ]);
  });

  it("owner optimized, partner non-optimized (active-active) or inaccessible (active-passive)", async () => {
    const aa = arrayWorld(false);
    expect([
      await prio(aa, "nvme0n1"),
      await prio(aa, "nvme1n1"),
      await prio(aa, "nvme0n2"),
      await prio(aa, "nvme1n2"),
    ]).toEqual([50, 10, 10, 50]);
    const ap = arrayWorld(false, "active-passive");
    expect([await prio(ap, "nvme0n1"), await prio(ap, "nvme1n1")]).toEqual([50, 1]);
  });

  it("a takeover moves a group through ANA change; native multipath follows it to the new owner", () => {
    const w = arrayWorld(true);
    const head = w.nvme.subsystem(w.a.subsystem.nqn)!.heads.get(1)!;
    const sys = w.host.sysfs;
    expect(head.paths.map((p) => `${p.name} ${p.anaStateName}`)).toEqual([
      "nvme0c0n1 optimized",
      "nvme0c1n1 non-optimized",
    ]);
    w.a.moveGroup(1, 1);
    w.clock.advance(100e6);
    expect(sys.read("/sys/block/nvme0c0n1/ana_state")).toBe("change\n");
    w.clock.advance(3e9);
    expect(w.a.ownerOf(1)).toBe(1);
    expect(w.a.controllers[1]![0]!.anaOf(1)).toBe(AnaState.OPTIMIZED);
    expect(sys.read("/sys/block/nvme0c0n1/ana_state")).toBe("non-optimized\n");
    expect(sys.read("/sys/block/nvme0c1n1/ana_state")).toBe("optimized\n");
  });
});
