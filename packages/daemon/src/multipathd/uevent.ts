/**
 * The uevent queue (libmultipath/uevent.c, 0.9.4): events of block disks as udev publishes them,
 * prepared in batches before multipathd services them — path events of blacklisted device nodes
 * discarded; earlier events made pointless by later ones filtered ("add, change, remove" of one
 * device leaves the remove; a change before an add goes); and, when `uid_attrs` is set, add or
 * remove events of paths with the same WWID merged into the last one.
 */
import type { UdevDevice, UdevEvent } from "@mp/dm-core";
import { filterDevnode } from "../config/blacklist.js";
import type { Config } from "../config/structs.js";

/** `struct uevent`. */
export interface Uevent {
  readonly action: string;
  /** Kernel name (`sda`, `dm-0`). */
  readonly kernel: string;
  readonly seqnum: number;
  readonly udev: UdevDevice;
  /** Filled in only when uevents are merged (`uid_attrs` set). */
  wwid: string | null;
  /** Events merged into this one, serviced before it. */
  readonly merged: Uevent[];
}

/** A udev event as a queued uevent. */
export function toUevent(e: UdevEvent): Uevent {
  return {
    action: e.action,
    kernel: e.device.sysname,
    seqnum: e.seqnum,
    udev: e.device,
    wwid: null,
    merged: [],
  };
}

/** `uevent_get_env_var`. */
export function ueventEnv(uev: Uevent, name: string): string | undefined {
  return uev.udev.properties.get(name);
}

/** `uevent_is_mpath`: a dm device whose DM_UUID is `mpath-<something>`. */
export function ueventIsMpath(uev: Uevent): boolean {
  const uuid = ueventEnv(uev, "DM_UUID");
  return uuid?.startsWith("mpath-") === true && uuid.length > 6;
}

/** `uevent_get_disk_ro`: the DISK_RO variable, or -1. */
export function ueventGetDiskRo(uev: Uevent): number {
  const v = ueventEnv(uev, "DISK_RO");
  if (v === undefined || v === "" || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

/** `get_uid_attribute_by_attrs`: the uid attribute `uid_attrs` gives this device, if any. */
function uidAttributeByAttrs(conf: Config, kernel: string): string | undefined {
  for (const att of conf.uidAttrs) {
    const col = att.lastIndexOf(":");
    if (col >= 0 && kernel.startsWith(att.slice(0, col))) return att.slice(col + 1);
  }
  return undefined;
}

function isDm(uev: Uevent): boolean {
  return uev.kernel.startsWith("dm-");
}

function canFilter(earlier: Uevent, later: Uevent): boolean {
  if (isDm(later) || earlier.kernel !== later.kernel) return false;
  if (later.action === "remove") return true;
  return earlier.action === "change" && later.action === "add";
}

function mergeNeedStop(earlier: Uevent, later: Uevent): boolean {
  if (isDm(later)) return true;
  if (earlier.wwid === null || later.wwid === null) return true;
  return (
    earlier.action !== later.action &&
    earlier.action !== "change" &&
    later.action !== "change" &&
    earlier.wwid === later.wwid
  );
}

function canMerge(earlier: Uevent, later: Uevent): boolean {
  return (
    earlier.wwid !== null &&
    later.wwid !== null &&
    !isDm(earlier) &&
    earlier.action === later.action &&
    (earlier.action === "add" || earlier.action === "remove") &&
    earlier.wwid === later.wwid
  );
}

/**
 * Prepares a batch (the `uevent_prepare` / `uevent_filter` / `uevent_merge` passes of
 * `uevent_dispatch`): returns the events to service, oldest first.
 */
export function prepareUevents(batch: readonly Uevent[], conf: Config): Uevent[] {
  const q: Uevent[] = [];
  const merge = conf.uidAttrs.length > 0;
  for (const uev of batch) {
    if (!isDm(uev) && filterDevnode(conf, uev.kernel) > 0) continue;
    if (!isDm(uev) && merge) {
      const attr = uidAttributeByAttrs(conf, uev.kernel);
      const val = attr === undefined ? undefined : ueventEnv(uev, attr);
      if (val !== undefined) uev.wwid = val;
    }
    q.push(uev);
  }
  if (!merge) return filterUnmerged(q);
  // From the newest: each event filters, then merges, the events queued before it.
  for (let i = q.length - 1; i >= 0; i--) {
    const later = q[i]!;
    for (let j = i - 1; j >= 0; j--) {
      const earlier = q[j]!;
      for (let k = earlier.merged.length - 1; k >= 0; k--)
        if (canFilter(earlier.merged[k]!, later)) earlier.merged.splice(k, 1);
      if (canFilter(earlier, later)) {
        const back = earlier.merged.splice(0);
        q.splice(j, 1, ...back);
        i += back.length - 1;
      }
    }
    if (!merge) continue;
    for (let j = i - 1; j >= 0; j--) {
      const earlier = q[j]!;
      if (mergeNeedStop(earlier, later)) break;
      if (canMerge(earlier, later)) {
        q.splice(j, 1);
        i--;
        later.merged.unshift(earlier, ...earlier.merged.splice(0));
      }
    }
  }
  return q;
}

/**
 * The filter pass alone (no `uid_attrs`, so nothing is merged and every `merged` list is empty):
 * the same result as the general pass — an event filters only earlier events of its own device,
 * and an event filtered out never filters — computed per device instead of over every earlier
 * event, which a boot's batch of thousands of events made quadratic.
 */
function filterUnmerged(q: Uevent[]): Uevent[] {
  const byKernel = new Map<string, number[]>();
  for (let i = 0; i < q.length; i++) {
    const uev = q[i]!;
    if (isDm(uev)) continue;
    const list = byKernel.get(uev.kernel);
    if (list === undefined) byKernel.set(uev.kernel, [i]);
    else list.push(i);
  }
  let gone: Uint8Array | null = null;
  for (const list of byKernel.values()) {
    if (list.length < 2) continue;
    gone ??= new Uint8Array(q.length);
    for (let a = list.length - 1; a > 0; a--) {
      const i = list[a]!;
      if (gone[i]) continue;
      const later = q[i]!;
      for (let b = a - 1; b >= 0; b--) {
        const j = list[b]!;
        if (!gone[j] && canFilter(q[j]!, later)) gone[j] = 1;
      }
    }
  }
  if (gone === null) return q;
  const out: Uevent[] = [];
  for (let i = 0; i < q.length; i++) if (!gone[i]) out.push(q[i]!);
  return out;
}
