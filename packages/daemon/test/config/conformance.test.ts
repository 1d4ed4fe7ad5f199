/**
 * The configuration views of the conformance transcripts, byte for byte: `multipath -t` with no
 * configuration and with the scenarios' configurations, `multipathd show config [local]`,
 * `show blacklist` and `show devices`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Config,
  findHwe,
  parseConfig,
  printBlacklistReport,
  printConfig,
  printDevices,
  usedHwEntries,
} from "../../src/index.js";
import { CONFORMANCE, loadConfig, memFiles, multipathT } from "./helpers.js";
import { applyMasks, readOut, readScn } from "./scn.js";

const loadText = (config: string | null): Config => {
  const r = config === null ? loadConfig({ files: memFiles({}) }) : parseConfig(config);
  if (!r.ok) throw new Error(`config refused: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.config;
};

/** sda/sdb on the two scsi_debug hosts and the map dm-0, as udev lists them. */
const SCSI_DEBUG_DEVICES = (monitored: boolean) => [
  { syspath: "/sys/devices/virtual/block/dm-0", sysname: "dm-0", monitored: false },
  {
    syspath: "/sys/devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0/block/sda",
    sysname: "sda",
    monitored,
  },
  {
    syspath: "/sys/devices/pseudo_0/adapter1/host1/target1:0:0/1:0:0:0/block/sdb",
    sysname: "sdb",
    monitored,
  },
];

describe("multipath -t", () => {
  it("without /etc/multipath.conf prints multipath-t.default.out exactly", () => {
    const expected = readFileSync(join(CONFORMANCE, "multipath-t.default.out"), "utf8");
    const r = loadConfig({ files: memFiles({}) });
    expect(multipathT(r)).toBe(`${expected}[rc=0]\n`);
  });

  it("prints multipath-t.out for each configuration of multipath-t.scn", () => {
    const scn = readScn(join(CONFORMANCE, "multipath-t.scn"));
    const outs = readOut(join(CONFORMANCE, "multipath-t.out"));
    const runs = scn.commands.filter((c) => c.command === "multipath -t");
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.some((c) => c.config !== null)).toBe(true);
    runs.forEach((c, i) => {
      const rec = outs.filter((o) => o.command === "multipath -t")[i]!;
      const files = c.config === null ? {} : { "/etc/multipath.conf": c.config };
      const mine = multipathT(loadConfig({ files: memFiles(files) }));
      expect(applyMasks(mine, scn.masks)).toBe(applyMasks(rec.output, scn.masks));
    });
  });
});

describe("multipathd show config / blacklist / devices (show-config.scn)", () => {
  const scn = readScn(join(CONFORMANCE, "show-config.scn"));
  const outs = readOut(join(CONFORMANCE, "show-config.out"));
  const output = (cmd: string) => outs.find((o) => o.command === cmd)!.output;
  const config = loadText(scn.commands.find((c) => c.command === "multipathd show config")!.config);

  it("show config is the daemon's configuration (force_sync no, retrigger_tries 3)", () => {
    expect(`${printConfig(config)}[rc=0]\n`).toBe(output("multipathd show config"));
  });

  it("show config local lists only the device entries in use and the current maps", () => {
    const hwes = usedHwEntries([
      findHwe(config.hwtable, "Linux", "scsi_debug", "0191"),
      findHwe(config.hwtable, "Linux", "scsi_debug", "0191"),
    ]);
    const local = printConfig(config, {
      hwtable: hwes,
      maps: [{ wwid: "333333330000007d0", alias: "mpatha" }],
    });
    expect(`${local}[rc=0]\n`).toBe(output("multipathd show config local"));
  });

  it("show blacklist", () => {
    expect(`${printBlacklistReport(config)}[rc=0]\n`).toBe(output("multipathd show blacklist"));
  });

  it("show devices", () => {
    expect(`${printDevices(config, SCSI_DEBUG_DEVICES(true))}[rc=0]\n`).toBe(
      output("multipathd show devices"),
    );
  });
});

describe("multipathd show blacklist (blacklist.scn)", () => {
  const scn = readScn(join(CONFORMANCE, "blacklist.scn"));
  const outs = readOut(join(CONFORMANCE, "blacklist.out")).filter(
    (o) => o.command === "multipathd show blacklist",
  );
  const runs = scn.commands.filter((c) => c.command === "multipathd show blacklist");

  it("has one recorded report per request", () => {
    expect(runs.length).toBe(outs.length);
    expect(runs.length).toBeGreaterThanOrEqual(5);
  });
  runs.forEach((c, i) => {
    it(`report ${i + 1}`, () => {
      expect(`${printBlacklistReport(loadText(c.config))}[rc=0]\n`).toBe(outs[i]!.output);
    });
  });
});
