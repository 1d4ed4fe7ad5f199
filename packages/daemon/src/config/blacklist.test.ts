import { describe, expect, it } from "vitest";
import {
  filterDevice,
  filterDevnode,
  filterPath,
  filterProperty,
  filterProtocol,
  filterWwid,
  isBlacklisted,
  Match,
} from "./blacklist.js";
import { parseConfig } from "./config.js";
import { ConfigLog } from "./log.js";
import { printBlacklistReport, printDevices } from "./print-config.js";
import type { Config } from "./structs.js";

const load = (text: string): Config => {
  const r = parseConfig(text);
  if (!r.ok) throw new Error("refused");
  return r.config;
};
const lastMessage = (log: ConfigLog) => log.entries.at(-1)?.message;

describe("default rules", () => {
  const c = load("");
  it("blacklist every device node except sd*, dasd* and nvme*", () => {
    expect(filterDevnode(c, "sda")).toBe(Match.NOTHING);
    expect(filterDevnode(c, "nvme0n1")).toBe(Match.NOTHING);
    expect(filterDevnode(c, "dm-0")).toBe(Match.DEVNODE_BLIST);
    expect(filterDevnode(c, "loop0")).toBe(Match.DEVNODE_BLIST);
  });
  it("blacklist the LUNZ / Universal Xport control LUNs of the built-in table", () => {
    expect(filterDevice(c, "DGC", "LUNZ", "sdc")).toBe(Match.DEVICE_BLIST);
    expect(filterDevice(c, "NETAPP", "Universal Xport", "sdc")).toBe(Match.DEVICE_BLIST);
    expect(filterDevice(c, "DGC", "RAID 5", "sdc")).toBe(Match.NOTHING);
  });
});

describe("exceptions first, with the tool's log lines", () => {
  const c = load(
    'blacklist {\n\tdevnode "^sd"\n\twwid ".*"\n\tdevice {\n\t\tvendor "Linux"\n\t}\n\tprotocol "scsi:.*"\n}\n' +
      'blacklist_exceptions {\n\tdevnode "^sda$"\n\twwid "^3333"\n\tdevice {\n\t\tvendor "Linux"\n\t\tproduct "keep"\n\t}\n\tprotocol "scsi:fcp"\n}\n',
  );
  it("devnode", () => {
    const log = new ConfigLog();
    expect(filterDevnode(c, "sda", log)).toBe(Match.DEVNODE_BLIST_EXCEPT);
    expect(lastMessage(log)).toBe("sda: device node name whitelisted");
    expect(filterDevnode(c, "sdb", log)).toBe(Match.DEVNODE_BLIST);
    expect(lastMessage(log)).toBe("sdb: device node name blacklisted");
  });
  it("wwid (with and without a device name)", () => {
    const log = new ConfigLog();
    expect(filterWwid(c, "36001", "sdb", log)).toBe(Match.WWID_BLIST);
    expect(lastMessage(log)).toBe("sdb: wwid 36001 blacklisted");
    expect(filterWwid(c, "3333", undefined, log)).toBe(Match.WWID_BLIST_EXCEPT);
    expect(lastMessage(log)).toBe("3333: wwid whitelisted");
  });
  it("vendor/product: a rule matches when each part it has matches", () => {
    const log = new ConfigLog();
    expect(filterDevice(c, "Linux", "scsi_debug", "sdb", log)).toBe(Match.DEVICE_BLIST);
    expect(lastMessage(log)).toBe("sdb: (Linux:scsi_debug) vendor/product blacklisted");
    expect(filterDevice(c, "Linux", "keeper", "sdb", log)).toBe(Match.DEVICE_BLIST_EXCEPT);
    expect(filterDevice(c, undefined, "keeper", "sdb")).toBe(Match.NOTHING);
  });
  it("protocol", () => {
    const log = new ConfigLog();
    expect(filterProtocol(c, "scsi:iscsi", "sdb", log)).toBe(Match.PROTOCOL_BLIST);
    expect(lastMessage(log)).toBe("sdb: protocol scsi:iscsi blacklisted");
    expect(filterProtocol(c, "scsi:fcp", "sdb")).toBe(Match.PROTOCOL_BLIST_EXCEPT);
  });
});

describe("inverted rules", () => {
  it("a leading ! inverts, a leading \\! is a literal !", () => {
    const c = load('blacklist {\n\twwid "!^36"\n\twwid "\\!x"\n}\n');
    expect(filterWwid(c, "3600", "sda")).toBe(Match.NOTHING);
    expect(filterWwid(c, "2000", "sda")).toBe(Match.WWID_BLIST);
    expect(filterWwid(c, "3600!x", "sda")).toBe(Match.WWID_BLIST);
  });
});

describe("udev properties", () => {
  const c = load("");
  it("a path whose properties include an exception is whitelisted by the first such property", () => {
    const log = new ConfigLog();
    expect(filterProperty(c, "sda", ["DEVNAME", "ID_SERIAL", "ID_WWN"], "ID_SERIAL", 3, log)).toBe(
      Match.PROPERTY_BLIST_EXCEPT,
    );
    expect(lastMessage(log)).toBe("sda: udev property ID_WWN whitelisted");
  });
  it("a path with its uid attribute but no exception property is blacklisted as missing", () => {
    const log = new ConfigLog();
    expect(filterProperty(c, "sda", ["DEVNAME", "ID_SERIAL"], "ID_SERIAL", 3, log)).toBe(
      Match.PROPERTY_BLIST_MISSING,
    );
    expect(lastMessage(log)).toBe("sda: blacklisted, udev property missing");
    expect(isBlacklisted(Match.PROPERTY_BLIST_MISSING)).toBe(true);
  });
  it('a path without its uid attribute, or with uid_attribute "", is not decided', () => {
    expect(filterProperty(c, "sda", ["DEVNAME"], "ID_SERIAL")).toBe(Match.NOTHING);
    expect(filterProperty(c, "sda", ["DEVNAME", "ID_SERIAL"], "")).toBe(Match.NOTHING);
    expect(filterProperty(c, "sda", undefined, "ID_SERIAL")).toBe(Match.NOTHING);
  });
});

describe("filter_path", () => {
  it("checks property, devnode, device, protocol and wwid in that order", () => {
    const c = load('blacklist {\n\twwid "^3333"\n\tdevice {\n\t\tvendor "Linux"\n\t}\n}\n');
    const base = {
      dev: "sda",
      properties: ["ID_SERIAL", "ID_WWN"],
      uidAttribute: "ID_SERIAL",
      vendor: "Other",
      product: "x",
      protocol: "scsi:fcp",
      wwid: "333333330000007d0",
    };
    expect(filterPath(c, base)).toBe(Match.WWID_BLIST);
    expect(filterPath(c, { ...base, vendor: "Linux" })).toBe(Match.DEVICE_BLIST);
    expect(filterPath(c, { ...base, dev: "dm-3", vendor: "Linux" })).toBe(Match.DEVNODE_BLIST);
    expect(filterPath(c, { ...base, properties: ["ID_SERIAL"] })).toBe(Match.PROPERTY_BLIST_MISSING);
    expect(filterPath(c, { ...base, wwid: "36001" })).toBe(Match.NOTHING);
  });
});

describe("show blacklist / show devices", () => {
  it("lists config rules before default rules, marks each, and prints <empty> for empty groups", () => {
    const c = load('blacklist {\n\tdevnode "^sdb$"\n}\n');
    const r = printBlacklistReport(c);
    expect(r.startsWith("device node rules:\n- blacklist:\n        (config file rule) ^sdb$\n")).toBe(true);
    expect(r).toContain(
      "        (default rule)     !^(sd[a-z]|dasd[a-z]|nvme[0-9])\n- exceptions:\n        <empty>\n",
    );
  });
  it("prints devices in syspath order with their status", () => {
    const c = load("");
    const out = printDevices(c, [
      { syspath: "/sys/devices/virtual/block/loop0", sysname: "loop0", monitored: false },
      { syspath: "/sys/devices/virtual/block/dm-0", sysname: "dm-0", monitored: false, hidden: true },
      { syspath: "/sys/devices/p/block/sdb", sysname: "sdb", monitored: false },
      { syspath: "/sys/devices/p/block/sda", sysname: "sda", monitored: true },
    ]);
    expect(out).toBe(
      "available block devices:\n" +
        "    sda  devnode whitelisted, monitored\n" +
        "    sdb devnode whitelisted, unmonitored\n" +
        "    dm-0 hidden, unmonitored\n" +
        "    loop0 devnode blacklisted, unmonitored\n",
    );
  });
});
