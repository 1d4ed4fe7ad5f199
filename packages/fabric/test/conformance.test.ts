import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mask, replay } from "./scn-replay.js";

/*
 * Transcripts recorded with the kernel lab (real Debian 12 kernel 6.1, udev 252, sg3_utils,
 * busybox) of scenarios that exercise only the fabric: scsi_debug disks, their sysfs and its
 * writes, udev's database, sg_turs, blockdev, direct I/O. The model must print the same, byte
 * for byte after the scenario's masks.
 */
const dir = new URL("./conformance/", import.meta.url);

describe("lab transcripts of the fabric", () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".scn"))) {
    it(f, async () => {
      const scn = readFileSync(new URL(f, dir), "utf8");
      const expected = readFileSync(new URL(f.replace(/\.scn$/, ".out"), dir), "utf8");
      const { transcript, masks } = await replay(scn);
      expect(mask(transcript, masks)).toBe(mask(expected, masks));
    });
  }
});
