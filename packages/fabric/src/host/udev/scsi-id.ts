import { getBe16, parseVpd83 } from "@mp/dm-core";
import { asciiText, hex } from "../../scsi/bytes.js";

/** `scsi_id`'s device type names (`ID_TYPE`). */
const TYPES: Record<number, string> = {
  0: "disk",
  1: "tape",
  2: "printer",
  3: "processor",
  4: "worm",
  5: "cd",
  6: "scanner",
  7: "optical",
  8: "mediumchanger",
  9: "comms",
  12: "array",
  13: "enclosure",
  14: "rbc",
};

/** `udev_replace_whitespace()`: trailing whitespace dropped, inner runs become one `_`. */
export function replaceWhitespace(s: string): string {
  return s.replace(/\s+$/, "").replace(/^\s+/, "").replace(/\s+/g, "_");
}

/** `udev_replace_chars(str, NULL)`: anything but `0-9A-Za-z#+-.:=@_` becomes `_`. */
export function replaceChars(s: string): string {
  return s.replace(/[^0-9A-Za-z#+\-.:=@_/]/g, "_").replace(/\//g, "_");
}

/** `encode_devnode_name()`: unsafe bytes as `\xNN` (space too). */
export function encodeDevnodeName(s: string): string {
  let out = "";
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (/[0-9A-Za-z#+\-.:=@_]/.test(c) && code < 0x80) out += c;
    else out += `\\x${code.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The identification `scsi_id` derives from page 0x83 (one search entry). */
interface Page83Id {
  serial: string;
  serialShort: string;
  wwn: string;
  wwnExt: string;
}

/** `id_search_list`: designator type, NAA type (-1 = any), code set (1 binary, 2 ascii). */
const SEARCH: ReadonlyArray<readonly [number, number, number]> = [
  [3, 6, 1],
  [3, 6, 2],
  [3, 5, 1],
  [3, 5, 2],
  [3, -1, 1],
  [3, -1, 2],
  [2, -1, 1],
  [2, -1, 2],
  [1, -1, 1],
  [1, -1, 2],
  [0, -1, 1],
  [0, -1, 2],
];

function page83Id(page: Uint8Array, vendor: string, model: string): { id: Page83Id | null; tgpt: string } {
  const ds = parseVpd83(page);
  let tgpt = "";
  for (const d of ds) {
    if (d.type === 5 && d.association === 1 && d.identifier.length >= 4)
      tgpt = getBe16(d.identifier, 2).toString(16);
  }
  for (const [type, naa, codeSet] of SEARCH) {
    for (const d of ds) {
      if (d.association !== 0 || d.type !== type || d.codeSet !== codeSet) continue;
      if (type === 3 && naa !== -1 && (d.identifier[0] ?? 0) >> 4 !== naa) continue;
      const data = d.identifier;
      let body = codeSet === 2 ? asciiText(data, 0, data.length) : hex(data);
      if (type === 0) body = `${vendor.padEnd(8, " ")}${model.padEnd(16, " ")}${body}`;
      const serial = `${type.toString(16)}${body}`;
      const id: Page83Id = { serial, serialShort: body, wwn: "", wwnExt: "" };
      if (type === 3) {
        id.wwn = body.slice(0, 16);
        if (body.length > 16) id.wwnExt = body.slice(16, 32);
      }
      return { id, tgpt };
    }
  }
  return { id: null, tgpt };
}

/**
 * `scsi_id --export --whitelisted`: the `ID_*` properties 60-persistent-storage.rules imports
 * for a SCSI disk, from its standard INQUIRY data and VPD pages 0x80 and 0x83.
 */
export function scsiIdExport(
  inquiry: Uint8Array,
  pg80: Uint8Array | null,
  pg83: Uint8Array | null,
): Array<readonly [string, string]> {
  const vendorRaw = asciiText(inquiry, 8, 8);
  const modelRaw = asciiText(inquiry, 16, 16);
  const revRaw = asciiText(inquiry, 32, 4);
  const type = (inquiry[0] ?? 0) & 0x1f;
  const out: Array<readonly [string, string]> = [
    ["ID_SCSI", "1"],
    ["ID_VENDOR", replaceChars(replaceWhitespace(vendorRaw))],
    ["ID_VENDOR_ENC", encodeDevnodeName(vendorRaw)],
    ["ID_MODEL", replaceChars(replaceWhitespace(modelRaw))],
    ["ID_MODEL_ENC", encodeDevnodeName(modelRaw)],
    ["ID_REVISION", replaceChars(replaceWhitespace(revRaw))],
    ["ID_TYPE", TYPES[type] ?? "generic"],
  ];
  const unitSerial = pg80 ? asciiText(pg80, 4, Math.min(getBe16(pg80, 2), pg80.length - 4)).trim() : "";
  const { id, tgpt } = pg83 ? page83Id(pg83, vendorRaw, modelRaw) : { id: null, tgpt: "" };
  let serial = id?.serial ?? "";
  let short = id?.serialShort ?? "";
  if (!id && unitSerial) {
    // No usable page 0x83 identifier: `S` + vendor + model + unit serial (prepend_vendor_model).
    serial = `S${vendorRaw}${modelRaw}${unitSerial}`;
    short = unitSerial;
  }
  if (serial) {
    out.push(["ID_SERIAL", replaceChars(replaceWhitespace(serial))]);
    out.push(["ID_SERIAL_SHORT", replaceChars(replaceWhitespace(short))]);
  }
  if (id?.wwn) {
    out.push(["ID_WWN", `0x${id.wwn}`]);
    if (id.wwnExt) {
      out.push(["ID_WWN_VENDOR_EXTENSION", `0x${id.wwnExt}`]);
      out.push(["ID_WWN_WITH_EXTENSION", `0x${id.wwn}${id.wwnExt}`]);
    } else out.push(["ID_WWN_WITH_EXTENSION", `0x${id.wwn}`]);
  }
  if (tgpt) out.push(["ID_TARGET_PORT", tgpt]);
  if (unitSerial) out.push(["ID_SCSI_SERIAL", unitSerial]);
  return out;
}
