/**
 * dev_t and kernel-name → path lookups over a path vector without scanning it each time (`find_path_by_devt`
 * is a linear search upstream; with thousands of paths and a table re-read per path check that
 * is quadratic). The index follows the vector lazily: paths appended since the last lookup are
 * added to it, a removal shows as a shorter vector or another last element, a hit is verified
 * against the vector and a stale entry rebuilds it once; a miss is confirmed by a scan. Edits in
 * place are announced: a path replaced with {@link PathIndex.invalidate}, a path's dev_t changed
 * with {@link PathIndex.devtChanged} (which costs nothing for a path not in the vector yet, the
 * common case: `pathinfo` of a new path, so a uevent storm does not rebuild the index per path).
 */
import { WWID_SIZE } from "../structs/structs.js";
import type { MpPath } from "./structs.js";

/** What `wwidEqual` compares: the first {@link WWID_SIZE} characters. */
function wwidKey(wwid: string): string {
  return wwid.length <= WWID_SIZE ? wwid : wwid.slice(0, WWID_SIZE);
}

/**
 * Under vitest every WWID lookup is checked against a scan of the vector, so that a `pp.wwid`
 * written without {@link setPathWwid} fails the test that does it instead of going unnoticed.
 */
const VERIFY_WWID_LOOKUPS = typeof process !== "undefined" && process.env.VITEST !== undefined;

/**
 * Sets a path's WWID and tells the index: every write of `pp.wwid` in the daemon goes through
 * here (the index of paths by WWID is only right if it hears of every change).
 */
export function setPathWwid(index: PathIndex, pp: MpPath, wwid: string): void {
  if (pp.wwid === wwid) return;
  const old = pp.wwid;
  pp.wwid = wwid;
  index.wwidChanged(pp, old);
}

export class PathIndex {
  #arr: readonly MpPath[] | null = null;
  #builtLength = -1;
  /** The vector's first and last elements when indexed: the indexed prefix is taken as unchanged while they are. */
  #first: MpPath | undefined = undefined;
  #last: MpPath | undefined = undefined;
  readonly #byDevt = new Map<string, number>();
  readonly #byDev = new Map<string, number>();
  /** Where each indexed path is (its first position). */
  readonly #byPath = new Map<MpPath, number>();
  /** Every position of each WWID (by {@link wwidKey}), ascending. */
  readonly #byWwid = new Map<string, number[]>();

  /** Forgets everything: a path of a vector changed its dev_t or was replaced in place. */
  invalidate(): void {
    this.#arr = null;
  }

  /**
   * `pp.devT` was `oldDevt` and changed. A path the index has not seen is indexed with its
   * dev_t of the time it is; an indexed one is moved to its new dev_t, and the index is rebuilt
   * only when it was the first path with its old one (the next one is not known).
   */
  devtChanged(pp: MpPath, oldDevt: string): void {
    const pos = this.#byPath.get(pp);
    if (pos === undefined || this.#arr === null) return;
    if (this.#arr[pos] !== pp || this.#byDevt.get(oldDevt) === pos) {
      this.#arr = null;
      return;
    }
    const cur = this.#byDevt.get(pp.devT);
    if (cur === undefined || cur > pos) this.#byDevt.set(pp.devT, pos);
  }

  /**
   * `pp.wwid` was `oldWwid` and changed (see {@link setPathWwid}). Like {@link devtChanged}:
   * nothing to do for a path not indexed yet; an indexed one moves between the WWID lists.
   */
  wwidChanged(pp: MpPath, oldWwid: string): void {
    const pos = this.#byPath.get(pp);
    if (pos === undefined || this.#arr === null) return;
    if (this.#arr[pos] !== pp) {
      this.#arr = null;
      return;
    }
    const from = this.#byWwid.get(wwidKey(oldWwid));
    const at = from === undefined ? -1 : from.indexOf(pos);
    if (at < 0) {
      this.#arr = null;
      return;
    }
    from!.splice(at, 1);
    const key = wwidKey(pp.wwid);
    const to = this.#byWwid.get(key);
    if (to === undefined) this.#byWwid.set(key, [pos]);
    else {
      let i = to.length;
      while (i > 0 && to[i - 1]! > pos) i--;
      to.splice(i, 0, pos);
    }
  }

  /**
   * The paths of `pathvec` whose WWID equals `wwid` as `wwidEqual` compares, in vector order
   * (the scan `adopt_paths` does over every path, for every map).
   */
  byWwid(pathvec: readonly MpPath[], wwid: string): MpPath[] {
    let out = this.#byWwidOnce(pathvec, wwid);
    if (out === null) {
      // An entry was stale: index the vector afresh (a fresh index has none).
      this.#rebuildNow(pathvec);
      out = this.#byWwidOnce(pathvec, wwid)!;
    }
    if (VERIFY_WWID_LOOKUPS) {
      const key = wwidKey(wwid);
      const scan = pathvec.filter((pp) => wwidKey(pp.wwid) === key);
      if (scan.length !== out.length || scan.some((pp, i) => out[i] !== pp))
        throw new Error(
          `PathIndex: the WWID index is out of date for ${wwid} (a pp.wwid written without setPathWwid)`,
        );
    }
    return out;
  }

  /** The lookup, or null when an entry proved stale. */
  #byWwidOnce(pathvec: readonly MpPath[], wwid: string): MpPath[] | null {
    this.#follow(pathvec);
    const key = wwidKey(wwid);
    const list = this.#byWwid.get(key);
    if (list === undefined) return [];
    const out: MpPath[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const pp = pathvec[list[i]!];
      if (pp === undefined || wwidKey(pp.wwid) !== key) return null;
      out[i] = pp;
    }
    return out;
  }

  #rebuildNow(pathvec: readonly MpPath[]): void {
    this.#arr = null;
    this.#follow(pathvec);
  }

  /** The first path of `pathvec` with dev_t `devt` (`"8:16"`), or null. */
  byDevt(pathvec: readonly MpPath[], devt: string): MpPath | null {
    this.#follow(pathvec);
    const i = this.#byDevt.get(devt);
    if (i !== undefined && pathvec[i]?.devT === devt) return pathvec[i]!;
    if (i === undefined) {
      // Not indexed: absent unless a path's dev_t was set after it was indexed.
      for (let k = 0; k < pathvec.length; k++)
        if (pathvec[k]!.devT === devt) return this.#rebuilt(pathvec, this.#byDevt, devt);
      return null;
    }
    return this.#rebuilt(pathvec, this.#byDevt, devt);
  }

  /**
   * The first path of `pathvec` whose kernel name is `dev` (`find_path_by_dev`), or null. A
   * path has its name before it joins the vector and keeps it, so a miss needs no scan.
   */
  byDev(pathvec: readonly MpPath[], dev: string): MpPath | null {
    this.#follow(pathvec);
    const i = this.#byDev.get(dev);
    if (i === undefined) return null;
    if (pathvec[i]?.dev === dev) return pathvec[i]!;
    return this.#rebuilt(pathvec, this.#byDev, dev);
  }

  /** Brings the index up to `pathvec`: appended paths are added, any other change rebuilds it. */
  #follow(pathvec: readonly MpPath[]): void {
    const n = this.#builtLength;
    if (
      this.#arr !== pathvec ||
      n > pathvec.length ||
      (n > 0 && (pathvec[0] !== this.#first || pathvec[n - 1] !== this.#last))
    ) {
      this.#arr = pathvec;
      this.#builtLength = 0;
      this.#byDevt.clear();
      this.#byDev.clear();
      this.#byPath.clear();
      this.#byWwid.clear();
    }
    // Paths appended since (the common change: a new path) are indexed on, not from scratch.
    if (pathvec.length > this.#builtLength) this.#extend(pathvec);
  }

  #extend(pathvec: readonly MpPath[]): void {
    const byDevt = this.#byDevt;
    const byDev = this.#byDev;
    const byPath = this.#byPath;
    const byWwid = this.#byWwid;
    for (let k = this.#builtLength; k < pathvec.length; k++) {
      const pp = pathvec[k]!;
      if (!byDevt.has(pp.devT)) byDevt.set(pp.devT, k);
      if (!byDev.has(pp.dev)) byDev.set(pp.dev, k);
      if (!byPath.has(pp)) byPath.set(pp, k);
      const key = wwidKey(pp.wwid);
      const list = byWwid.get(key);
      if (list === undefined) byWwid.set(key, [k]);
      else list.push(k);
    }
    this.#builtLength = pathvec.length;
    this.#first = pathvec[0];
    this.#last = pathvec[pathvec.length - 1];
  }

  #rebuilt(pathvec: readonly MpPath[], map: Map<string, number>, key: string): MpPath | null {
    this.#arr = null;
    this.#follow(pathvec);
    const i = map.get(key);
    return i === undefined ? null : pathvec[i]!;
  }
}

/**
 * The first map of a vector per key of one of its string fields, exact without being told of
 * changes: each lookup first checks, by reference only, that the vector still begins with the
 * maps indexed, holding the same field strings (a pointer comparison per map); maps appended
 * since (the common change: a new map) are indexed on, anything else afresh.
 */
class FirstByField<M> {
  readonly #field: (m: M) => string | null;
  readonly #key: (value: string) => string;
  #maps: M[] = [];
  #values: (string | null)[] = [];
  readonly #first = new Map<string, number>();

  constructor(field: (m: M) => string | null, key: (value: string) => string) {
    this.#field = field;
    this.#key = key;
  }

  /** The first map of `maps` whose field has the key of `value`, or null. */
  find(maps: readonly M[], value: string): M | null {
    if (!this.#prefixCurrent(maps)) {
      this.#maps = [];
      this.#values = [];
      this.#first.clear();
    }
    if (maps.length > this.#maps.length) this.#extend(maps);
    const i = this.#first.get(this.#key(value));
    return i === undefined ? null : maps[i]!;
  }

  /** The maps indexed are still the first ones of `maps`, with the same field strings. */
  #prefixCurrent(maps: readonly M[]): boolean {
    const known = this.#maps;
    const n = known.length;
    if (maps.length < n) return false;
    const values = this.#values;
    for (let i = 0; i < n; i++) {
      const m = maps[i]!;
      if (m !== known[i] || this.#field(m) !== values[i]) return false;
    }
    return true;
  }

  #extend(maps: readonly M[]): void {
    for (let i = this.#maps.length; i < maps.length; i++) {
      const m = maps[i]!;
      const v = this.#field(m);
      this.#maps.push(m);
      this.#values.push(v);
      if (v === null) continue;
      const k = this.#key(v);
      if (!this.#first.has(k)) this.#first.set(k, i);
    }
  }
}

/**
 * `find_mp_by_wwid` over a map vector without comparing every map's WWID with the one sought
 * (a string comparison per map, per new path: quadratic over thousands of maps); WWIDs compare
 * as `wwidEqual` does.
 */
export class MapIndex<M extends { wwid: string }> {
  readonly #index = new FirstByField<M>((m) => m.wwid, wwidKey);

  /** The first map of `maps` whose WWID equals `wwid` as `wwidEqual` compares, or null. */
  byWwid(maps: readonly M[], wwid: string): M | null {
    return this.#index.find(maps, wwid);
  }
}

/**
 * `find_mp_by_alias` over a map vector: a dm event names its map by alias, and with thousands of
 * maps a string comparison per map per event added up.
 */
export class AliasIndex<M extends { alias: string | null }> {
  readonly #index = new FirstByField<M>(
    (m) => m.alias,
    (a) => a,
  );

  /** The first map of `maps` whose alias is `alias`, or null (always null for ""). */
  byAlias(maps: readonly M[], alias: string): M | null {
    return alias.length === 0 ? null : this.#index.find(maps, alias);
  }
}
