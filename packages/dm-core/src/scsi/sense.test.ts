import { describe, expect, it } from "vitest";
import { SenseKey } from "./scsi-device.js";
import {
  Asc,
  buildSenseBuffer,
  formatExtdSense,
  formatSenseKeyLine,
  formatSenseTriple,
  makeSense,
  normalizeSense,
  scsiSenseIsDeferred,
  scsiSenseValid,
  senseIs,
} from "./sense.js";

describe("scsi_normalize_sense", () => {
  it("reads fixed and descriptor formats alike", () => {
    const f = normalizeSense(buildSenseBuffer(false, SenseKey.NOT_READY, 0x04, 0x0a));
    const d = normalizeSense(buildSenseBuffer(true, SenseKey.NOT_READY, 0x04, 0x0a));
    expect([f.responseCode, f.senseKey, f.asc, f.ascq]).toEqual([0x70, 2, 4, 0x0a]);
    expect([d.responseCode, d.senseKey, d.asc, d.ascq]).toEqual([0x72, 2, 4, 0x0a]);
    expect(senseIs(f, SenseKey.NOT_READY, Asc.LU_NOT_ACCESSIBLE_TRANSITIONING)).toBe(true);
  });

  it("honours the fixed format's additional length: ASC/ASCQ beyond it read as 0", () => {
    const b = buildSenseBuffer(false, SenseKey.UNIT_ATTENTION, 0x29, 0x00);
    b[7] = 4; // only up to byte 11
    const h = normalizeSense(b);
    expect([h.senseKey, h.asc, h.ascq]).toEqual([6, 0, 0]);
  });

  it("treats a response code outside 0x70..0x73, or no bytes, as no sense", () => {
    expect(scsiSenseValid(normalizeSense(Uint8Array.from([0x00, 0, 5])))).toBe(false);
    expect(scsiSenseValid(normalizeSense(new Uint8Array(0)))).toBe(false);
    expect(scsiSenseValid(normalizeSense(null))).toBe(false);
    const deferred = normalizeSense(Uint8Array.from([0xf1, 0, 3, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0]));
    expect(scsiSenseValid(deferred) && scsiSenseIsDeferred(deferred)).toBe(true);
  });

  it("makeSense carries key/ASC/ASCQ and the raw buffer they came from", () => {
    const s = makeSense(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00);
    expect(s.raw.length).toBe(18);
    expect(normalizeSense(s.raw).asc).toBe(0x25);
  });
});

describe("sense formatting (scsi_print_sense_hdr)", () => {
  it("prints the key line with its trailing blank and the ASC text or the numeric form", () => {
    const h = normalizeSense(buildSenseBuffer(false, SenseKey.UNIT_ATTENTION, 0x2a, 0x06));
    expect(formatSenseKeyLine(h)).toBe("Sense Key : Unit Attention [current] ");
    expect(formatExtdSense(0x2a, 0x06)).toBe("Add. Sense: Asymmetric access state changed");
    expect(formatExtdSense(0x94, 0x01)).toBe("<<vendor>>ASC=0x94 ASCQ=0x1 ");
    expect(formatExtdSense(0x04, 0xa1)).toBe("ASC=0x4 <<vendor>>ASCQ=0xa1 ");
    const d = normalizeSense(buildSenseBuffer(true, SenseKey.NOT_READY, 4, 0xb));
    expect(formatSenseKeyLine(d)).toBe("Sense Key : Not Ready [current] [descriptor] ");
    expect(formatSenseTriple(d)).toBe("02/04/0b");
  });

  it("has the unit-attention reset family (ASC 0x29) and the capacity / write-protect texts", () => {
    expect(formatExtdSense(0x29, 0x00)).toBe("Add. Sense: Power on, reset, or bus device reset occurred");
    expect(formatExtdSense(0x29, 0x01)).toBe("Add. Sense: Power on occurred");
    expect(formatExtdSense(0x29, 0x02)).toBe("Add. Sense: Scsi bus reset occurred");
    expect(formatExtdSense(0x29, 0x07)).toBe("Add. Sense: I_T nexus loss occurred");
    expect(formatExtdSense(0x2a, 0x09)).toBe("Add. Sense: Capacity data has changed");
    expect(formatExtdSense(0x27, 0x00)).toBe("Add. Sense: Write protected");
    expect(formatExtdSense(0x04, 0x12)).toBe("Add. Sense: Logical unit not ready, offline");
    // A code the standard leaves unassigned in a listed family stays numeric.
    expect(formatExtdSense(0x29, 0x08)).toBe("ASC=0x29 ASCQ=0x8 ");
  });
});
