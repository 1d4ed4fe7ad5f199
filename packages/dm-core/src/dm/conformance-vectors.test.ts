import { existsSync, readFileSync } from "node:fs";
import { sharedPath } from "@mp/tooling/shared";
import { describe, expect, it } from "vitest";
import { devMinor } from "../block/devt.js";
import { strerror } from "../block/status.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { createKernel } from "../kernel/kernel.js";

// Vectors from the real kernel's transcripts: every `dmsetup create NAME --table '…'` of the
// invalid-table scenarios, with the ioctl error dmsetup printed and the kernel lines that followed.
const DIR = sharedPath("conformance/dm");
const FILTER = /device-mapper:|I\/O error/;
const BANNERS = /version [0-9.]+ loaded|uevent: version|ioctl: [0-9.]+-ioctl|core: CONFIG_/;

interface Vector {
  readonly name: string;
  readonly table: { start: number; length: number; type: string; params: string };
  /** `reload ioctl on NAME (254:N) failed: TEXT`, or null when the create succeeded. */
  readonly failure: { minor: number; text: string } | null;
  readonly dmesg: readonly string[];
}

function vectors(file: string): { vectors: Vector[]; ls: string[] } {
  const lines = readFileSync(`${DIR}/${file}`, "utf8").split("\n");
  const out: Vector[] = [];
  let ls: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\$ dmsetup create (\S+) --table '(\d+) (\d+) (\S+) ?(.*)'$/.exec(lines[i]!);
    if (m) {
      let failure: Vector["failure"] = null;
      const dmesg: string[] = [];
      for (let j = i + 1; j < lines.length && !lines[j]!.startsWith("$ "); j++) {
        const f = /^device-mapper: reload ioctl on \S+ \(254:(\d+)\) failed: (.*)$/.exec(lines[j]!);
        if (f) failure = { minor: Number(f[1]), text: f[2]! };
        if (lines[j]!.startsWith("dmesg: ")) dmesg.push(lines[j]!.slice(7));
      }
      out.push({
        name: m[1]!,
        table: { start: Number(m[2]), length: Number(m[3]), type: m[4]!, params: m[5]! },
        failure,
        dmesg,
      });
    }
    if (lines[i] === "$ dmsetup ls") {
      ls = [];
      for (let j = i + 1; lines[j] && !lines[j]!.startsWith("["); j++) ls.push(lines[j]!);
    }
  }
  return { vectors: out, ls };
}

const files = ["invalid-tables-header.out", "invalid-tables-paths.out"].filter((f) =>
  existsSync(`${DIR}/${f}`),
);

describe.skipIf(files.length === 0)("table loads of the transcripts: errnos, minors and kernel lines", () => {
  it.each(files)("%s", (file) => {
    const { vectors: vs, ls } = vectors(file);
    expect(vs.length).toBeGreaterThan(30);
    const clock = new VirtualClock();
    const k = createKernel({ clock, config: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false } });
    for (const m of ["dm-multipath", "dm-round-robin", "dm-queue-length", "dm-service-time"])
      k.modules.load(m);
    k.losetup("loop0", 8 << 20);
    k.losetup("loop1", 8 << 20);
    for (const v of vs) {
      const cursor = k.log.cursor();
      // dmsetup create: DM_DEV_CREATE, DM_TABLE_LOAD, DM_DEV_SUSPEND (resume); remove on failure.
      const c = k.dm.create(v.name);
      expect(c.ok).toBe(true);
      const l = k.dm.load(v.name, [v.table]);
      let failure: Vector["failure"] = null;
      if (!l.ok) {
        failure = { minor: c.ok ? devMinor(c.value.devt) : -1, text: strerror(l.errno) };
        k.dm.remove(v.name);
      } else expect(k.dm.resume(v.name).ok).toBe(true);
      clock.runUntilIdle(10_000);
      const dmesg = k.log
        .since(cursor)
        .map((x) => x.text)
        .filter((t) => FILTER.test(t) && !BANNERS.test(t));
      expect({ name: v.name, failure, dmesg }).toEqual({ name: v.name, failure: v.failure, dmesg: v.dmesg });
    }
    const listed = k.dm.list().map((e) => `${e.name}\t(254:${devMinor(e.devt)})`);
    expect(listed.length ? listed : ["No devices found"]).toEqual(ls);
  });
});
