import { readFileSync } from "node:fs";
import { formatExtdSense, senseKeyText } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo, fcWorld, outcome, sgIo } from "../../test/fc-world.js";

/**
 * What LIO's target port groups answer in standby, unavailable and transitioning, replayed from
 * a kernel-lab transcript (`test/fixtures/lab/lio-alua.{sh,out}`: Linux 6.1's LIO through
 * tcm_loop, probed with sg3_utils) against the model's LIO array. Each `$ sg_…` block gives the
 * CDB it sent (`-v`) and the sense it got back.
 */
const LAB = readFileSync(new URL("../../test/fixtures/lab/lio-alua.out", import.meta.url), "utf8");

interface LabCommand {
  readonly tool: string;
  readonly cdb: Uint8Array;
  /** `good`, or `<Sense key text> / <additional sense text>`. */
  readonly outcome: string;
}

/** The commands of one `##########` section, with their last CDB and outcome. */
function labSection(title: string): LabCommand[] {
  const start = LAB.indexOf(`########## ${title}`);
  if (start < 0) throw new Error(`no lab section ${title}`);
  const end = LAB.indexOf("\n##########", start + 10);
  const body = LAB.slice(start, end < 0 ? undefined : end);
  const out: LabCommand[] = [];
  for (const block of body.split("\n$ ").slice(1)) {
    const cdbs = [...block.matchAll(/cdb: (?:[A-Za-z ]+ )?\[([0-9a-f ]+)\]/g)];
    if (cdbs.length === 0) continue;
    const bytes = cdbs[cdbs.length - 1]![1]!.trim()
      .split(" ")
      .map((h) => Number.parseInt(h, 16));
    const rc = /\[rc=(\d+)\]/.exec(block)?.[1];
    const key = /Sense key: (.*)/.exec(block)?.[1]?.trim();
    const add = /Additional sense: (.*)/.exec(block)?.[1]?.trim();
    const good = rc === "0";
    out.push({
      tool: block.slice(0, block.indexOf("\n")),
      cdb: Uint8Array.from(bytes),
      outcome: good ? "good" : `${key} / ${add}`,
    });
  }
  return out;
}

/** The model's outcome in the lab's words. */
function modelOutcome(r: Awaited<ReturnType<typeof sgIo>>): string {
  if ("errno" in r || r.hostStatus !== 0) return outcome(r);
  if (r.status === 0) return "good";
  if (!r.sense) return outcome(r);
  return `${senseKeyText(r.sense.key)} / ${formatExtdSense(r.sense.asc, r.sense.ascq).replace(/^Add\. Sense: /, "")}`;
}

/** Persistent reservations are not modelled: LIO answers PR IN, the model says INVALID OPCODE. */
const NOT_MODELLED = new Set([0x5e, 0x5f]);

async function replay(w: ReturnType<typeof fcWorld>, dev: string, cmds: readonly LabCommand[]) {
  const got: string[] = [];
  const want: string[] = [];
  for (const c of cmds) {
    if (NOT_MODELLED.has(c.cdb[0]!)) continue;
    const alloc = c.cdb[0] === 0x00 || c.cdb[0] === 0x35 ? 0 : 4096;
    const r = await sgIo(w, dev, {
      cdb: c.cdb,
      direction: alloc > 0 ? "from-device" : "none",
      allocationLength: alloc,
      timeoutMs: 30_000,
    });
    got.push(`${c.tool}: ${modelOutcome(r)}`);
    want.push(`${c.tool}: ${c.outcome}`);
  }
  return { got, want };
}

describe("ALUA access states answer as LIO does (kernel lab)", () => {
  it("standby: capacity, MODE SENSE(6), RTPG, INQUIRY and REPORT LUNS work; TUR, MODE SENSE(10) and media access get 02/04/0B", async () => {
    const cmds = labSection("commands in standby on sdb");
    expect(cmds.length).toBeGreaterThanOrEqual(12);
    const w = fcWorld("lio-ap");
    const { got, want } = await replay(w, "sdb", cmds);
    expect(got).toEqual(want);
  });

  it("unavailable: only INQUIRY, REPORT LUNS, REQUEST SENSE and RTPG work (02/04/0C otherwise)", async () => {
    const cmds = labSection("unavailable");
    const w = fcWorld("lio-ap");
    w.built.array.lus[0]!.alua!.setState(2, "unavailable", 0);
    const { got, want } = await replay(w, "sdb", cmds);
    expect(got).toEqual(want);
  });

  it("transitioning: TEST UNIT READY gets 02/04/0A", async () => {
    const cmds = labSection("transitioning");
    const w = fcWorld("lio-ap");
    // A 60 s transition to active/optimized: the group reports transitioning meanwhile.
    w.built.array.lus[0]!.alua!.setState(2, "active/optimized", 60e9);
    const { got, want } = await replay(w, "sdb", cmds);
    expect(got).toEqual(want);
  });

  it("a standby path is probed with its real capacity and refuses I/O in the handler (no 'access beyond end of device')", async () => {
    const w = fcWorld("lio-ap");
    expect(w.host.sysfs.read("/sys/block/sdb/size")).toBe(w.host.sysfs.read("/sys/block/sda/size"));
    const log = w.kernel.log.since(0).map((l) => l.text);
    // The lab's probe of a standby LIO path (section "rescan sdb now in standby").
    const from = LAB.indexOf("########## rescan sdb now in standby");
    const lab = LAB.slice(from, LAB.indexOf("\n##########", from + 10))
      .split("\n")
      .filter(
        (l) => l.startsWith("dmesg: sd 1:0:1:0: [sdb]") || /sdb: unable to read|Disk read failed/.test(l),
      )
      .map((l) => l.replace(/^dmesg: /, "").replace("sd 1:0:1:0: ", ""))
      .map((l) => l.replace("32768 512-byte logical blocks: (16.8 MB/16.0 MiB)", "<size>"));
    const first = log.findIndex((l) => l.startsWith("sd 0:0:1:0: [sdb]"));
    const attached = log.indexOf("sd 0:0:1:0: [sdb] Attached SCSI disk");
    const model = log
      .slice(first, attached + 1)
      .filter((l) => l.startsWith("sd 0:0:1:0: [sdb]") || /sdb: unable to read|Disk read failed/.test(l))
      .map((l) => l.replace("sd 0:0:1:0: ", ""))
      .map((l) => l.replace("131072 512-byte logical blocks: (67.1 MB/64.0 MiB)", "<size>"));
    expect(model).toEqual(lab);
    expect(model).toContain("[sdb] Attached SCSI disk");
    expect(log.some((l) => /beyond end of device|Read Capacity/.test(l))).toBe(false);
    // Direct I/O to the standby path fails in the alua handler's prep_fn (the lab's dd: EIO).
    expect((await blockIo(w, "sdb", "read", 0, new Uint8Array(4096))).status).not.toBe(0);
  });
});
