/**
 * dev_t → path lookups over a path vector without scanning it each time (`find_path_by_devt`
 * is a linear search upstream; with thousands of paths and a table re-read per path check that
 * is quadratic). The index is rebuilt lazily: a hit is verified against the vector, and a miss
 * or a stale entry rebuilds it once.
 */
import type { MpPath } from "./structs.js";

export class PathIndex {
  #arr: readonly MpPath[] | null = null;
  #builtLength = -1;
  readonly #byDevt = new Map<string, number>();

  /** The first path of `pathvec` with dev_t `devt` (`"8:16"`), or null. */
  byDevt(pathvec: readonly MpPath[], devt: string): MpPath | null {
    if (this.#arr === pathvec) {
      const i = this.#byDevt.get(devt);
      if (i !== undefined && pathvec[i]?.devT === devt) return pathvec[i]!;
      if (i === undefined && this.#builtLength === pathvec.length) {
        // Unchanged length and not indexed: absent unless the vector was edited in place.
        for (let k = 0; k < pathvec.length; k++)
          if (pathvec[k]!.devT === devt) return this.#rebuilt(pathvec, devt);
        return null;
      }
    }
    return this.#rebuilt(pathvec, devt);
  }

  #rebuilt(pathvec: readonly MpPath[], devt: string): MpPath | null {
    this.#arr = pathvec;
    this.#builtLength = pathvec.length;
    const m = this.#byDevt;
    m.clear();
    for (let k = pathvec.length - 1; k >= 0; k--) m.set(pathvec[k]!.devT, k);
    const i = m.get(devt);
    return i === undefined ? null : pathvec[i]!;
  }
}
