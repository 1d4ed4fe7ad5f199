/**
 * `dmevent_loop` in virtual time: a watched map whose event number moves is re-read, one that
 * disappears behind the daemon's back is dropped, the others are left alone.
 */
import { NSEC_PER_SEC, settle } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { createMultipathd } from "../src/multipathd/multipathd.js";
import { scsiDebugWorld, settleUdev, sleep } from "./support/sim.js";

async function twoMaps() {
  const w = await scsiDebugWorld({ luns: 2 });
  const d = createMultipathd({ host: w.host, pid: 240, verbosity: 3 });
  const r = await settle(w.clock, d.start(), 60 * NSEC_PER_SEC);
  if (!r.settled) throw new Error("multipathd did not start");
  await sleep(w, 3);
  await settleUdev(w);
  expect(d.maps().map((m) => m.alias)).toEqual(["mpatha", "mpathb"]);
  const mark = d.daemon.messages().length;
  return { w, d, since: () => d.daemon.messages().slice(mark) };
}

describe("dm events", () => {
  it("re-reads only the map whose event number moved", async () => {
    const { w, d, since } = await twoMaps();
    const b = w.host.dm.info("mpathb");
    if (!b.ok) throw new Error("no mpathb");
    const nr = b.value.eventNr;
    // A path failed in the kernel raises an event on mpathb only.
    const path = d.maps()[1]!.paths[0]!.devT;
    expect(w.host.dm.message("mpathb", 0, `fail_path ${path}`).ok).toBe(true);
    await sleep(w, 0.01);
    const log = since();
    expect(log).toContain(`mpathb: devmap event #${nr + 1}`);
    expect(log.some((l) => l.startsWith("mpatha: devmap event"))).toBe(false);
    expect(d.maps().map((m) => m.alias)).toEqual(["mpatha", "mpathb"]);
  });

  it("drops a watched map that was removed behind its back, keeping the others", async () => {
    const { w, d, since } = await twoMaps();
    const a = w.host.dm.info("mpatha");
    if (!a.ok) throw new Error("no mpatha");
    expect(w.host.dm.remove("mpatha").ok).toBe(true);
    await sleep(w, 0.01);
    const log = since();
    expect(log).toContain(`mpatha: devmap event #${a.value.eventNr}`);
    expect(log).toContain("mpatha: removing map by alias");
    expect(log.some((l) => l.startsWith("mpathb: devmap event"))).toBe(false);
    expect(d.maps().map((m) => m.alias)).toEqual(["mpathb"]);
  });
});
