import type { UdevDevice } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { testContext } from "../../test/support/context.js";
import { prepareUevents, type Uevent } from "./uevent.js";

function uev(seqnum: number, action: string, kernel: string): Uevent {
  const udev: UdevDevice = {
    syspath: `/sys/devices/x/${kernel}`,
    sysname: kernel,
    subsystem: "block",
    devtype: "disk",
    devnode: `/dev/${kernel}`,
    devnum: undefined,
    properties: new Map(),
    devlinks: [],
  };
  return { action, kernel, seqnum, udev, wwid: null, merged: [] };
}

/** uevent_filter as 0.9.4 walks it: from the newest, over every earlier event. */
function filterByScan(q: Uevent[]): Uevent[] {
  const isDm = (u: Uevent) => u.kernel.startsWith("dm-");
  const canFilter = (earlier: Uevent, later: Uevent) =>
    !isDm(later) &&
    earlier.kernel === later.kernel &&
    (later.action === "remove" || (earlier.action === "change" && later.action === "add"));
  const out = [...q];
  for (let i = out.length - 1; i >= 0; i--) {
    const later = out[i]!;
    for (let j = i - 1; j >= 0; j--) {
      if (canFilter(out[j]!, later)) {
        out.splice(j, 1);
        i--;
      }
    }
  }
  return out;
}

describe("uevent batches without uid_attrs", () => {
  const conf = testContext().ctx.config;
  it("filters exactly as the scan over every earlier event does", () => {
    const ev = fc.record({
      action: fc.constantFrom("add", "change", "remove"),
      kernel: fc.constantFrom("sda", "sdb", "sdc", "dm-0", "dm-1"),
    });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 60 }), (evs) => {
        const q = evs.map((e, i) => uev(i + 1, e.action, e.kernel));
        const got = prepareUevents(q, conf).map((u) => u.seqnum);
        expect(got).toEqual(filterByScan(q).map((u) => u.seqnum));
      }),
      { numRuns: 1000 },
    );
  });
});
