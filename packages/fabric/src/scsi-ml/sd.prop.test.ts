import { devMajor, devMinor } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sdDevt, sdDiskName } from "./sd.js";

/** sd's names are bijective base 26: a..z, aa..zz, aaa… */
function decode(name: string): number {
  let n = 0;
  for (const c of name.slice(2)) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

describe("sd naming laws", () => {
  it("sdDiskName is the bijective base-26 numbering sd_format_disk_name uses", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 475253 }), (i) => {
        const name = sdDiskName(i);
        expect(name).toMatch(/^sd[a-z]{1,4}$/);
        expect(decode(name)).toBe(i);
      }),
    );
  });

  it("device numbers are distinct and follow the sd majors, 16 minors per disk", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 4095 }), (a, b) => {
        if (a !== b) expect(sdDevt(a)).not.toBe(sdDevt(b));
        const d = sdDevt(a);
        expect(devMinor(d) % 16).toBe(0);
        expect([8, 65, 66, 67, 68, 69, 70, 71, 128, 129, 130, 131, 132, 133, 134, 135, 259]).toContain(
          devMajor(d),
        );
      }),
    );
  });
});
