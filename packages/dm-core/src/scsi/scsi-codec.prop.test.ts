import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildRtpg, buildVpd83, parseRtpg, parseVpd83 } from "./cdb.js";
import { buildSenseBuffer, normalizeSense } from "./sense.js";

const group = fc.record({
  state: fc.constantFrom(0, 1, 2, 3, 4, 0xe, 0xf),
  pref: fc.boolean(),
  supported: fc.integer({ min: 0, max: 255 }),
  groupId: fc.integer({ min: 0, max: 0xffff }),
  status: fc.integer({ min: 0, max: 2 }),
  vendorUnique: fc.integer({ min: 0, max: 255 }),
  ports: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 4 }),
});

describe("SCSI codecs (laws)", () => {
  it("parseRtpg(buildRtpg(groups)) gives the groups back, with or without the extended header", () => {
    fc.assert(
      fc.property(
        fc.array(group, { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 255 }),
        (gs, ext, tt) => {
          const r = parseRtpg(buildRtpg(gs, { extendedHeader: ext, transitionTime: tt }));
          expect(r.groups).toEqual(gs);
          expect(r.extendedHeader).toBe(ext);
          expect(r.transitionTime).toBe(ext ? tt : 0);
        },
      ),
    );
  });

  it("normalizeSense(buildSenseBuffer(fmt, key, asc, ascq)) recovers key/ASC/ASCQ in both formats", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (d, k, a, q) => {
          const h = normalizeSense(buildSenseBuffer(d, k, a, q));
          expect([h.responseCode, h.senseKey, h.asc, h.ascq]).toEqual([d ? 0x72 : 0x70, k, a, q]);
        },
      ),
    );
  });

  it("parseVpd83(buildVpd83(designators)) gives the designators back", () => {
    const designator = fc.record({
      protocolId: fc.integer({ min: 0, max: 15 }),
      codeSet: fc.integer({ min: 0, max: 15 }),
      piv: fc.boolean(),
      association: fc.integer({ min: 0, max: 3 }),
      type: fc.integer({ min: 0, max: 15 }),
      identifier: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(designator, { maxLength: 5 }), (ds) => {
        expect(parseVpd83(buildVpd83(ds))).toEqual(ds);
      }),
    );
  });
});

import {
  decodeCdb,
  inquiryVpdCdb,
  modeSelect10Cdb,
  modeSense6Cdb,
  read10Cdb,
  read16Cdb,
  reportTargetPortGroupsCdb,
} from "./cdb.js";

describe("decodeCdb (laws)", () => {
  it("recovers what the builders encoded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff }), (lba, n) => {
        expect(decodeCdb(read10Cdb(lba, n))).toEqual({ op: "read", lba, blocks: n, fua: false, cdbLen: 10 });
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 53 - 1 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (lba, n) => {
          expect(decodeCdb(read16Cdb(lba, n))).toMatchObject({ op: "read", lba, blocks: n, cdbLen: 16 });
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), (len, ext) => {
        expect(decodeCdb(reportTargetPortGroupsCdb(len, ext))).toEqual({
          op: "report-target-port-groups",
          extendedHeader: ext,
          allocLen: len,
        });
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), (page, len) => {
        expect(decodeCdb(inquiryVpdCdb(page, len))).toEqual({
          op: "inquiry",
          evpd: true,
          page,
          allocLen: len,
        });
      }),
    );
    expect(decodeCdb(modeSelect10Cdb(308, false, false))).toEqual({
      op: "mode-select",
      cdbLen: 10,
      pf: false,
      sp: false,
      paramLen: 308,
    });
    expect(decodeCdb(modeSense6Cdb(0x0a, 0, 1, true, 20))).toEqual({
      op: "mode-sense",
      cdbLen: 6,
      dbd: true,
      pc: 1,
      page: 0x0a,
      subpage: 0,
      allocLen: 20,
    });
    expect(decodeCdb(Uint8Array.from([0x28, 0, 0]))).toEqual({ op: "other", opcode: 0x28, serviceAction: 0 });
  });
});
