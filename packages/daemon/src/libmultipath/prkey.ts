/**
 * The persistent reservation keys file (libmultipath/prkey.c, 0.9.4): `0x<16 hex> <wwid>` lines
 * (`0X` when the key is registered with APTPL); `set_prkey` replaces or comments out a map's
 * line, `get_prkey` reads it back for `reservation_key file`.
 */
import { MPATH_F_APTPL_MASK } from "../structs/structs.js";
import type { LibmpContext } from "./context.js";
import { openFile, rewriteFile } from "./file.js";

/** `PRKEYS_FILE_HEADER`. */
export const PRKEYS_FILE_HEADER =
  "# Multipath persistent reservation keys, Version : 1.0\n" +
  "# NOTE: this file is automatically maintained by the multipathd program.\n" +
  "# You should not need to edit this file in normal circumstances.\n" +
  "#\n" +
  "# Format:\n" +
  "# prkey wwid\n" +
  "#\n";

/** `PRKEY_SIZE - 1`: `0x` and 16 hex digits. */
const KEY_LEN = 18;

/** `parse_prkey`: up to 16 hex digits after an optional `0x`; null when malformed. */
export function parsePrkey(s: string): bigint | null {
  let p = s;
  if (p[0] === "0") p = p.slice(1);
  if (p[0] === "x" || p[0] === "X") p = p.slice(1);
  if (p === "" || p.length > 16 || !/^[0-9a-fA-F]+$/.test(p)) return null;
  return BigInt(`0x${p}`);
}

/** `parse_prkey_flags`: `KEY[:aptpl]`. */
export function parsePrkeyFlags(s: string): { key: bigint; flags: number } | null {
  const colon = s.indexOf(":");
  let flags = 0;
  let keyText = s;
  if (colon >= 0) {
    keyText = s.slice(0, colon);
    if (s.slice(colon + 1) === "aptpl") flags = MPATH_F_APTPL_MASK;
  }
  const key = parsePrkey(keyText);
  return key === null ? null : { key, flags };
}

/** Where the WWID's line starts in the file text (`do_prkey`'s search), or -1; `malformed` when bad. */
function findLine(text: string, wwid: string): number | "malformed" {
  let at = text.indexOf(wwid);
  while (at >= 0) {
    if (at > 0 && text[at - 1] === " " && text[at + wwid.length] === "\n") break;
    at = text.indexOf(wwid, at + wwid.length);
  }
  if (at < 0) return -1;
  const start = at - KEY_LEN - 1;
  if (start < 0 || (start !== 0 && text[start - 1] !== "\n")) return "malformed";
  return start;
}

/** `get_prkey`: the key registered for the map's WWID in the prkeys file. */
export function getPrkey(ctx: LibmpContext, wwid: string): { key: bigint; aptpl: boolean } | undefined {
  if (wwid === "") return undefined;
  const f = openFile(ctx, ctx.config.prkeysFile, PRKEYS_FILE_HEADER);
  if (f === null) return undefined;
  const at = findLine(f.text, wwid);
  if (at === "malformed") {
    ctx.log.log(0, `malformed prkey file line for wwid: '${wwid}'`);
    return undefined;
  }
  if (at < 0 || f.text[at] === "#") return undefined;
  ctx.log.log(3, `found prkey for '${wwid}'`);
  const keystr = f.text.slice(at, at + KEY_LEN);
  const key = parsePrkey(keystr);
  if (key === null) return undefined;
  return { key, aptpl: keystr.includes("X") };
}

/** `set_prkey`: 0 on success (the key is then re-selected by the caller), 1 on failure. */
export function setPrkey(ctx: LibmpContext, wwid: string, prkey: bigint, saFlags: number): number {
  if (wwid === "") return 1;
  if (saFlags & ~MPATH_F_APTPL_MASK) {
    ctx.log.log(0, `unsupported pr flags, 0x${(saFlags & ~MPATH_F_APTPL_MASK).toString(16)}`);
    saFlags &= MPATH_F_APTPL_MASK;
  }
  const f = openFile(ctx, ctx.config.prkeysFile, PRKEYS_FILE_HEADER);
  if (f === null) return 1;
  if (!f.canWrite) {
    ctx.log.log(0, "cannot set prkey, prkeys file is read-only");
    return 1;
  }
  const at = findLine(f.text, wwid);
  if (at === "malformed") {
    ctx.log.log(0, `malformed prkey file line for wwid: '${wwid}'`);
    return 1;
  }
  let text = f.text;
  if (prkey === 0n) {
    if (at < 0) return 0;
    text = `${text.slice(0, at)}#${text.slice(at + 1)}`;
  } else {
    const keystr = `${saFlags ? "0X" : "0x"}${prkey.toString(16).padStart(16, "0")}`;
    const line = `${keystr} ${wwid}\n`;
    text = at < 0 ? text + line : text.slice(0, at) + line + text.slice(at + line.length);
  }
  return rewriteFile(ctx, f, text) ? 0 : 1;
}
