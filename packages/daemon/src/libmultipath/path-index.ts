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
import type { MpPath } from "./structs.js";

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
    }
    // Paths appended since (the common change: a new path) are indexed on, not from scratch.
    if (pathvec.length > this.#builtLength) this.#extend(pathvec);
  }

  #extend(pathvec: readonly MpPath[]): void {
    const byDevt = this.#byDevt;
    const byDev = this.#byDev;
    const byPath = this.#byPath;
    for (let k = this.#builtLength; k < pathvec.length; k++) {
      const pp = pathvec[k]!;
      if (!byDevt.has(pp.devT)) byDevt.set(pp.devT, k);
      if (!byDev.has(pp.dev)) byDev.set(pp.dev, k);
      if (!byPath.has(pp)) byPath.set(pp, k);
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
