import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMediaAccess } from "../scsi/opcodes.js";
import {
  MEDIA_NONE,
  MEDIA_READ,
  MEDIA_WRITE,
  mediaBlocks,
  mediaDirection,
  mediaLba,
} from "./media-access.js";

const MEDIA_OPS = [0x08, 0x0a, 0x28, 0x2a, 0x2f, 0x41, 0x88, 0x8a, 0x8f, 0x93, 0xa8, 0xaa];

describe("media access fields", () => {
  it("agree with decodeMediaAccess for every CDB", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...MEDIA_OPS), fc.integer({ min: 0, max: 255 })),
        fc.uint8Array({ minLength: 31, maxLength: 31 }),
        (op, rest) => {
          const cdb = new Uint8Array(32);
          cdb[0] = op;
          cdb.set(rest, 1);
          const m = decodeMediaAccess(cdb);
          const dir = mediaDirection(cdb);
          if (m === null) {
            expect(dir).toBe(MEDIA_NONE);
            return;
          }
          expect(dir).toBe(m.write ? MEDIA_WRITE : MEDIA_READ);
          expect(mediaLba(cdb)).toBe(m.lba);
          expect(mediaBlocks(cdb)).toBe(m.blocks);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decode READ(10) of 8 blocks at LBA 0x01020304", () => {
    const cdb = Uint8Array.of(0x28, 0, 1, 2, 3, 4, 0, 0, 8, 0);
    expect([mediaDirection(cdb), mediaLba(cdb), mediaBlocks(cdb)]).toEqual([MEDIA_READ, 0x01020304, 8]);
  });
});
