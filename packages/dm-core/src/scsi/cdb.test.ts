import { describe, expect, it } from "vitest";
import {
  accessStateName,
  aluaSupportedString,
  buildRtpg,
  buildStandardInquiry,
  buildVpd80,
  buildVpd83,
  cdbLength,
  DesignatorType,
  formatCdb,
  inquiryTpgs,
  inquiryVpdCdb,
  modeSense10Cdb,
  naaDesignator,
  opcodeName,
  parseRtpg,
  parseStandardInquiry,
  parseVpd80,
  parseVpd83,
  read10Cdb,
  read16Cdb,
  readCapacity16Cdb,
  relativeTargetPortDesignator,
  reportTargetPortGroupsCdb,
  setTargetPortGroupsCdb,
  startStopUnitCdb,
  stpgParameterList,
  TpgsSupport,
  t10VendorDesignator,
  targetPortGroupDesignator,
} from "./cdb.js";
import { scsiVpdLunId, scsiVpdTpgId } from "./scsi-lib.js";

describe("CDB builders", () => {
  it("lay out INQUIRY, RTPG, STPG, READ and START STOP UNIT as the kernel and sg3_utils do", () => {
    expect([...inquiryVpdCdb(0x83, 255)]).toEqual([0x12, 1, 0x83, 0, 255, 0]);
    expect([...reportTargetPortGroupsCdb(128, true)]).toEqual([0xa3, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0]);
    expect([...reportTargetPortGroupsCdb(0x10000, false)]).toEqual([
      0xa3, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    ]);
    expect([...setTargetPortGroupsCdb(8)]).toEqual([0xa4, 0x0a, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]);
    expect([...stpgParameterList([{ state: 0, groupId: 0x102 }])]).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    expect([...read10Cdb(0x01020304, 8)]).toEqual([0x28, 0, 1, 2, 3, 4, 0, 0, 8, 0]);
    expect([...read16Cdb(2 ** 40 + 5, 1)]).toEqual([0x88, 0, 0, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0]);
    expect([...readCapacity16Cdb(32)]).toEqual([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]);
    expect([...startStopUnitCdb(true)]).toEqual([0x1b, 0, 0, 0, 1, 0]);
    expect([...modeSense10Cdb(0x0a, 0, 1, true, 20)]).toEqual([0x5a, 0x08, 0x4a, 0, 0, 0, 0, 0, 20, 0]);
    expect([6, 10, 10, 12, 16, 12].map((n, g) => cdbLength(g << 5) === n)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it("name commands as scsi_format_opcode_name does, service actions included", () => {
    expect(opcodeName(reportTargetPortGroupsCdb(128, true))).toBe("Report target port groups");
    expect(opcodeName(setTargetPortGroupsCdb(8))).toBe("Set target port groups");
    expect(opcodeName(Uint8Array.from([0xa3, 0x1f]))).toBe("Maintenance in, sa=0x1f");
    expect(opcodeName(Uint8Array.from([0x12]))).toBe("Inquiry");
    expect(opcodeName(Uint8Array.from([0xc0]))).toBe("opcode=0xc0 (vendor)");
    expect(opcodeName(Uint8Array.from([0x61]))).toBe("opcode=0x61 (reserved)");
    expect(formatCdb(inquiryVpdCdb(0x80, 255))).toBe("Inquiry 12 01 80 00 ff 00");
  });
});

describe("standard INQUIRY", () => {
  it("round-trips identity, device type and the TPGS field", () => {
    const inq = buildStandardInquiry({
      vendor: "LIO-ORG",
      product: "disk0",
      revision: "4.0",
      tpgs: 3,
      version: 6,
    });
    const p = parseStandardInquiry(inq);
    expect(p).toMatchObject({
      vendor: "LIO-ORG ",
      product: "disk0           ",
      revision: "4.0 ",
      tpgs: 3,
      version: 6,
    });
    expect(p.deviceType).toBe(0);
    expect(inquiryTpgs(inq)).toBe(3);
    expect(inquiryTpgs(new Uint8Array(4))).toBe(0);
  });
});

describe("VPD pages", () => {
  it("page 0x80 holds the serial", () => {
    expect(parseVpd80(buildVpd80("ABC123"))).toBe("ABC123");
  });

  it("page 0x83 designators round-trip, and the kernel's LUN id prefers NAA over T10 vendor IDs", () => {
    const page = buildVpd83([
      t10VendorDesignator("LIO-ORG", "abcd"),
      naaDesignator("6001405abcdef0123456789abcdef012"),
      relativeTargetPortDesignator(3),
      targetPortGroupDesignator(0x11),
    ]);
    const d = parseVpd83(page);
    expect(d.map((x) => x.type)).toEqual([
      DesignatorType.T10_VENDOR_ID,
      DesignatorType.NAA,
      DesignatorType.RELATIVE_TARGET_PORT,
      DesignatorType.TARGET_PORT_GROUP,
    ]);
    expect(scsiVpdLunId({ vpdPg83: page })).toBe("naa.6001405abcdef0123456789abcdef012");
    expect(scsiVpdTpgId({ vpdPg83: page })).toEqual({ groupId: 0x11, relPort: 3 });
    expect(scsiVpdLunId({ vpdPg83: buildVpd83([t10VendorDesignator("LIO-ORG", "x y")]) })).toBe(
      "t10.LIO-ORG x y",
    );
    expect(scsiVpdTpgId({ vpdPg83: buildVpd83([relativeTargetPortDesignator(1)]) })).toEqual({
      groupId: -1,
      relPort: -1,
    });
    expect(scsiVpdLunId({ vpdPg83: null })).toBeNull();
  });
});

describe("RTPG data", () => {
  it("round-trips groups with the extended header and transition time", () => {
    const groups = [
      {
        state: 0,
        pref: true,
        supported: TpgsSupport.ALL,
        groupId: 1,
        status: 2,
        vendorUnique: 0,
        ports: [1, 2],
      },
      { state: 2, pref: false, supported: 0x0f, groupId: 0x200, status: 0, vendorUnique: 7, ports: [] },
    ];
    const r = parseRtpg(buildRtpg(groups, { extendedHeader: true, transitionTime: 10 }));
    expect(r.extendedHeader).toBe(true);
    expect(r.transitionTime).toBe(10);
    expect(r.groups).toEqual(groups);
    const plain = parseRtpg(buildRtpg(groups));
    expect(plain.extendedHeader).toBe(false);
    expect(plain.groups).toEqual(groups);
    expect(plain.returnDataLength).toBe(8 + 8 + 8);
  });

  it("spells supported states as the ALUA handler logs them and access states as sysfs prints them", () => {
    expect(aluaSupportedString(TpgsSupport.ALL)).toBe("TOLUSNA");
    expect(aluaSupportedString(0x8f)).toBe("ToLUSNA".replace("L", "l"));
    expect(aluaSupportedString(0)).toBe("tolusna");
    expect(accessStateName(0x80)).toBe("active/optimized");
    expect(accessStateName(0x0f)).toBe("transitioning");
    expect(accessStateName(0x05)).toBeNull();
  });
});
