import type { UdevRuleContext } from "./rules.js";

/** The kernel name glob `nvme*[0-9]n*[0-9]` of the rules (namespace disks and paths). */
const NVME_DISK = /^nvme.*[0-9]n.*[0-9]$/;

/** `$attr{…}` as udev substitutes it: the value without trailing whitespace, or null. */
function attrOf(ctx: UdevRuleContext, dir: string, name: string): string | null {
  const v = ctx.sysfs.read(`/sys${dir}/${name}`);
  if (v === null) return null;
  const t = v.replace(/\s+$/, "");
  return t === "" ? null : t;
}

/**
 * `ATTRS{name}=="?*"`: the first of the device and its parents with a non-empty attribute, and
 * its value (udev's `$attr` then reads that device's attribute).
 */
function attrsOf(ctx: UdevRuleContext, name: string): string | null {
  for (let p = ctx.devpath; p.lastIndexOf("/") > 0; p = p.slice(0, p.lastIndexOf("/"))) {
    const v = attrOf(ctx, p, name);
    if (v !== null) return v;
  }
  return null;
}

/** `OPTIONS="string_escape=replace"`: whitespace and other unsafe characters become `_`. */
function escapeReplace(s: string): string {
  return s.replace(/[^0-9A-Za-z#+\-.:=@_]/g, "_");
}

/**
 * The NVMe part of systemd 252's 60-persistent-storage.rules (Debian 12): `nvme-<wwid>` link,
 * `ID_SERIAL_SHORT`, `ID_WWN`, `ID_MODEL`, `ID_REVISION` and `ID_NSID` from the namespace and
 * its controller (or subsystem), `ID_SERIAL` as `<model>_<serial>` and then
 * `<model>_<serial>_<nsid>` with a link for each.
 */
export function nvmePersistentStorage(ctx: UdevRuleContext): void {
  if (!NVME_DISK.test(ctx.sysname)) return;
  const env = ctx.env;
  const wwid = attrOf(ctx, ctx.devpath, "wwid");
  if (wwid !== null) ctx.links.push(`disk/by-id/nvme-${wwid}`);
  if (ctx.devtype !== "disk") return;
  const serial = attrsOf(ctx, "serial");
  if (serial !== null) env.set("ID_SERIAL_SHORT", serial);
  const wwn = attrsOf(ctx, "wwid");
  if (wwn !== null) env.set("ID_WWN", wwn);
  const model = attrsOf(ctx, "model");
  if (model !== null) env.set("ID_MODEL", model);
  const rev = attrsOf(ctx, "firmware_rev");
  if (rev !== null) env.set("ID_REVISION", rev);
  const nsid = attrsOf(ctx, "nsid");
  if (nsid !== null) env.set("ID_NSID", nsid);
  const m = env.get("ID_MODEL");
  const s = env.get("ID_SERIAL_SHORT");
  if (m && s) {
    env.set("ID_SERIAL", escapeReplace(`${m}_${s}`));
    ctx.links.push(`disk/by-id/nvme-${env.get("ID_SERIAL")}`);
    const n = env.get("ID_NSID");
    if (n) {
      env.set("ID_SERIAL", escapeReplace(`${m}_${s}_${n}`));
      ctx.links.push(`disk/by-id/nvme-${env.get("ID_SERIAL")}`);
    }
  }
}
