/**
 * The daemon core's view of paths, path groups and maps: the printable records of
 * `structs/structs.ts` plus what libmultipath keeps beside them in `struct path` /
 * `struct multipath` but never prints (the udev device, hwtable matches, the live checker and
 * prioritizer, the multipaths entry, the checker's per-map context).
 */
import type { UdevDevice } from "@mp/dm-core";
import type { HwEntry, MpEntry } from "../config/structs.js";
import {
  createMultipath,
  createPath,
  type Multipath,
  type MultipathInit,
  type Path,
  type PathGroup,
  type PathInit,
} from "../structs/structs.js";
import type { DmStringsMemo } from "./dmparser.js";
import type { PathChecker, Prioritizer } from "./plugins.js";

/** `struct path` as the daemon core holds it. */
export interface MpPath extends Path {
  mpp: MpMap | null;
  /** The udev device (`pp->udev`); null for a path known only from a dm table. */
  udev: UdevDevice | null;
  /** hwtable entries matching the path, most specific first (`pp->hwe`). */
  hwe: HwEntry[];
  /** The live checker (`pp->checker`), once selected and initialised. */
  chk: PathChecker | null;
  /** The live prioritizer (`pp->prio`), once selected. */
  prioImpl: Prioritizer | null;
}

/** `struct pathgroup` with daemon paths. */
export interface MpPathGroup extends PathGroup {
  paths: MpPath[];
  mpp: MpMap;
}

/** `struct multipath` as the daemon core holds it. */
export interface MpMap extends Multipath {
  paths: MpPath[];
  pg: MpPathGroup[];
  /** The multipaths section entry for the WWID (`mpp->mpe`). */
  mpe: MpEntry | undefined;
  /** hwtable entries of the map (taken from a path, `mpp->hwe`). */
  hwe: HwEntry[];
  /** `mpp->hwe` was taken from a path (upstream's vector is non-NULL, even when empty). */
  hweSet: boolean;
  /** The checkers' per-map context slot (`mpp->mpcontext`). */
  mpcontext: { value: unknown };
  /** multipathd watches this map's dm events (`watch_dmevents`). */
  watched: boolean;
  /** The table and status strings last read back for this map, tokenised (see dmparser.ts). */
  dmStrings?: DmStringsMemo | undefined;
}

/** `alloc_path()` for the daemon core. */
export function allocPath(init: PathInit = {}): MpPath {
  const base = createPath(init);
  return Object.assign(base, { mpp: null, udev: null, hwe: [], chk: null, prioImpl: null }) as MpPath;
}

/** `alloc_multipath()` for the daemon core. */
export function allocMultipath(init: MultipathInit = {}): MpMap {
  const base = createMultipath(init);
  return Object.assign(base, {
    paths: [] as MpPath[],
    pg: [] as MpPathGroup[],
    mpe: undefined,
    hwe: [],
    hweSet: false,
    mpcontext: { value: undefined },
    watched: false,
    dmStrings: undefined,
  }) as MpMap;
}

/** `alloc_pathgroup()` + `add_pathgroup()`: a new empty group appended to the map. */
export function addMpPathGroup(mpp: MpMap): MpPathGroup {
  const pg: MpPathGroup = { id: 0, status: 0, priority: 0, enabledPaths: 0, marginal: false, paths: [], mpp };
  mpp.pg.push(pg);
  return pg;
}

/** The map's alias, or its WWID when it has none (how libmultipath names it in messages). */
export function mapName(mpp: Multipath): string {
  return mpp.alias ?? mpp.wwid;
}
