import type { UdevDevice } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { testContext } from "../../test/support/context.js";
import { prepareUevents, type Uevent, ueventIsMpath } from "./uevent.js";

let seq = 0;
function uev(action: string, kernel: string, props: Record<string, string> = {}): Uevent {
  const udev: UdevDevice = {
    syspath: `/sys/devices/x/${kernel}`,
    sysname: kernel,
    subsystem: "block",
    devtype: "disk",
    devnode: `/dev/${kernel}`,
    devnum: undefined,
    properties: new Map(Object.entries(props)),
    devlinks: [],
  };
  return { action, kernel, seqnum: ++seq, udev, wwid: null, merged: [] };
}

const show = (q: Uevent[]) =>
  q.map(
    (u) => `${u.action} ${u.kernel}${u.merged.length ? ` [${u.merged.map((m) => m.kernel).join(",")}]` : ""}`,
  );

describe("uevent batches (uevent_prepare / filter / merge)", () => {
  const conf = testContext().ctx.config;

  it("drops events of blacklisted device nodes, keeps dm events", () => {
    const q = prepareUevents([uev("add", "loop0"), uev("add", "sda"), uev("change", "dm-0")], conf);
    expect(show(q)).toEqual(["add sda", "change dm-0"]);
  });

  it("a later remove makes earlier events of the device pointless", () => {
    const q = prepareUevents(
      [uev("add", "sda"), uev("change", "sda"), uev("add", "sdb"), uev("remove", "sda")],
      conf,
    );
    expect(show(q)).toEqual(["add sdb", "remove sda"]);
  });

  it("a change before an add of the same device goes", () => {
    const q = prepareUevents([uev("change", "sda"), uev("add", "sda")], conf);
    expect(show(q)).toEqual(["add sda"]);
  });

  it("without uid_attrs nothing is merged", () => {
    const q = prepareUevents(
      [uev("add", "sda", { ID_SERIAL: "w1" }), uev("add", "sdb", { ID_SERIAL: "w1" })],
      conf,
    );
    expect(show(q)).toEqual(["add sda", "add sdb"]);
  });

  it("with uid_attrs, adds of paths with one WWID merge into the last", () => {
    const merging = testContext({ config: 'defaults {\n\tuid_attrs "sd:ID_SERIAL"\n}\n' }).ctx.config;
    const q = prepareUevents(
      [
        uev("add", "sda", { ID_SERIAL: "w1" }),
        uev("add", "sdb", { ID_SERIAL: "w2" }),
        uev("add", "sdc", { ID_SERIAL: "w1" }),
      ],
      merging,
    );
    expect(show(q)).toEqual(["add sdb", "add sdc [sda]"]);
  });

  it("recognises multipath maps by their dm uuid", () => {
    expect(ueventIsMpath(uev("change", "dm-0", { DM_UUID: "mpath-3600a" }))).toBe(true);
    expect(ueventIsMpath(uev("change", "dm-1", { DM_UUID: "LVM-abc" }))).toBe(false);
    expect(ueventIsMpath(uev("change", "dm-2", { DM_UUID: "mpath-" }))).toBe(false);
  });
});
