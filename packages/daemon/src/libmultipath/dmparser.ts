/**
 * The multipath target's table and status strings (libmultipath/dmparser.c, 0.9.4):
 * `assemble_map` turns a map's groups into the constructor string, `disassemble_map` reads a
 * table back into groups (unknown devices become bare paths with only `dev_t` set), and
 * `disassemble_status` reads group states, path states and fail counts.
 */
import { addFeature } from "../config/config.js";
import { DmPathState } from "../structs/path-state.js";
import { PgState, RrWeight } from "../structs/structs.js";
import { findPathByDevt } from "../structs/structs-vec.js";
import { QueueMode, Ynu } from "./defaults.js";
import { addMpPathGroup, allocPath, type MpMap, type MpPath } from "./structs.js";

/** A `get_word` cursor over a parameter string. */
class Words {
  #pos = 0;

  constructor(private readonly s: string) {}

  /** The next blank-separated word, or null at the end. */
  next(): string | null {
    const s = this.s;
    let i = this.#pos;
    while (i < s.length && isBlank(s.charCodeAt(i))) i++;
    if (i >= s.length) {
      this.#pos = i;
      return null;
    }
    const start = i;
    while (i < s.length && !isBlank(s.charCodeAt(i))) i++;
    this.#pos = i;
    return s.slice(start, i);
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** C `atoi`. */
function atoi(s: string): number {
  // The tables the kernel prints hold plain small decimals: skip the general parse for them.
  if (s.length > 0 && s.length < 10) {
    let n = 0;
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
    }
    if (i === s.length) return n;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Number(BigInt.asIntN(32, BigInt(m[1]!))) : 0;
}

/** True when the running kernel is older than 4.3 (`retain_attached_hw_handler` as a feature). */
export type KernelBefore43 = boolean;

/**
 * `assemble_map`: the constructor parameters. Adds `queue_if_no_path` to the map's features when
 * no_path_retry queues (the map keeps it, as upstream does), and `retain_attached_hw_handler`
 * on kernels before 4.3. Returns null when a path has no dev_t.
 */
export function assembleMap(mpp: MpMap, kernelBefore43 = false, log?: (msg: string) => void): string | null {
  const minio = mpp.minio;
  const nrPg = mpp.pg.length;
  const initialPg = nrPg ? mpp.bestpg : 0;
  if (mpp.noPathRetry !== 0 && mpp.noPathRetry !== -1)
    mpp.features = addFeature(mpp.features, "queue_if_no_path") ?? mpp.features;
  if (mpp.retainHwhandler === Ynu.ON && kernelBefore43)
    mpp.features = addFeature(mpp.features, "retain_attached_hw_handler") ?? mpp.features;
  const parts: string[] = [`${mpp.features} ${mpp.hwhandler} ${nrPg} ${initialPg}`];
  for (const pg of mpp.pg) {
    parts.push(` ${mpp.selector} ${pg.paths.length} 1`);
    for (const pp of pg.paths) {
      let m = minio;
      if (mpp.rrWeight === RrWeight.PRIO && pp.priority > 0) m = minio * pp.priority;
      if (pp.devT.length === 0) {
        log?.(`dev_t not set for '${pp.dev}'`);
        return null;
      }
      parts.push(` ${pp.devT} ${m}`);
    }
  }
  return parts.join("");
}

/**
 * `disassemble_map`: features, hwhandler, groups and paths from a table string into `mpp`
 * (known paths are taken from `pathvec`, unknown ones created bare). False on a malformed string
 * (the groups are then dropped).
 */
export function disassembleMap(
  pathvec: readonly MpPath[],
  params: string,
  mpp: MpMap,
  find: (devt: string) => MpPath | null = (devt) => findPathByDevt(pathvec, devt) as MpPath | null,
): boolean {
  const w = new Words(params);
  const fail = (): boolean => {
    mpp.pg = [];
    return false;
  };
  const f = w.next();
  if (f === null) return false;
  let features = f;
  const nFeatures = atoi(f);
  for (let i = 0; i < nFeatures; i++) {
    const x = w.next();
    if (x === null) return false;
    features += ` ${x}`;
  }
  mpp.features = features;
  mpp.queueMode = features.includes("queue_mode bio") ? QueueMode.BIO : QueueMode.RQ;
  const h = w.next();
  if (h === null) return false;
  let hwhandler = h;
  const nHw = atoi(h);
  for (let i = 0; i < nHw; i++) {
    const x = w.next();
    if (x === null) return false;
    hwhandler += ` ${x}`;
  }
  mpp.hwhandler = hwhandler;
  const npg = w.next();
  if (npg === null) return false;
  const numPg = atoi(npg);
  if (numPg <= 0) mpp.pg = [];
  const next = w.next();
  if (next === null) return fail();
  mpp.nextpg = atoi(next);
  let numPgArgs = 0;
  for (let i = 0; i < numPg; i++) {
    if (mpp.selector === null) {
      const sel = w.next();
      if (sel === null) return fail();
      const args = w.next();
      if (args === null) return fail();
      numPgArgs = atoi(args);
      mpp.selector = `${sel} ${args}`;
    } else {
      w.next();
      w.next();
    }
    for (let j = 0; j < numPgArgs; j++) w.next();
    const pg = addMpPathGroup(mpp);
    const np = w.next();
    if (np === null) return fail();
    const numPaths = atoi(np);
    const npa = w.next();
    if (npa === null) return fail();
    const numPathArgs = atoi(npa);
    for (let j = 0; j < numPaths; j++) {
      const devt = w.next();
      if (devt === null) return fail();
      let pp = find(devt);
      if (pp === null) {
        pp = allocPath();
        pp.devT = devt;
      }
      pg.paths.push(pp);
      pp.pgindex = i + 1;
      for (let k = 0; k < numPathArgs; k++) {
        const a = w.next();
        if (k === 0 && a !== null) {
          let defMinio = atoi(a);
          if (mpp.selector.startsWith("round-robin") && mpp.rrWeight === RrWeight.PRIO && pp.priority > 0)
            defMinio = Math.trunc(defMinio / pp.priority);
          if (defMinio !== mpp.minio) mpp.minio = defMinio;
        }
      }
    }
  }
  return true;
}

/** `disassemble_status`: group and path states from a status string. False when malformed. */
export function disassembleStatus(params: string, mpp: MpMap): boolean {
  const w = new Words(params);
  const nf = w.next();
  if (nf === null) return false;
  const numFeatureArgs = atoi(nf);
  for (let i = 0; i < numFeatureArgs; i++) {
    const x = w.next();
    if (i === 1) {
      if (x === null) return false;
      mpp.queuedio = atoi(x) !== 0;
    }
  }
  const nh = w.next();
  if (nh === null) return false;
  const numHw = atoi(nh);
  for (let i = 0; i < numHw; i++) w.next();
  const npg = w.next();
  if (npg === null) return false;
  const numPg = atoi(npg);
  if (numPg === 0) return true;
  w.next();
  if (mpp.pg.length < numPg) return false;
  for (let i = 0; i < numPg; i++) {
    const pg = mpp.pg[i]!;
    const st = w.next();
    if (st === null) return false;
    switch (st[0]) {
      case "D":
        pg.status = PgState.DISABLED;
        break;
      case "A":
        pg.status = PgState.ACTIVE;
        break;
      case "E":
        pg.status = PgState.ENABLED;
        break;
      default:
        pg.status = PgState.UNDEF;
        break;
    }
    const na = w.next();
    if (na === null) return false;
    const numPgArgs = atoi(na);
    for (let j = 0; j < numPgArgs; j++) w.next();
    const np = w.next();
    if (np === null) return false;
    const numPaths = atoi(np);
    const npa = w.next();
    if (npa === null) return false;
    const numPathArgs = atoi(npa);
    if (pg.paths.length < numPaths) return false;
    for (let j = 0; j < numPaths; j++) {
      const pp = pg.paths[j]!;
      w.next();
      const s = w.next();
      if (s === null) return false;
      if (s[0] === "F") pp.dmstate = DmPathState.FAILED;
      else if (s[0] === "A") pp.dmstate = DmPathState.ACTIVE;
      const fc = w.next();
      if (fc === null) return false;
      pp.failcount = atoi(fc);
      for (let k = 0; k < numPathArgs; k++) {
        const a = w.next();
        if (a !== null && mpp.selector?.startsWith("least-pending")) {
          const m = /^[+-]?\d+/.exec(a);
          if (m && Number(m[0]) !== mpp.minio) mpp.minio = Number(m[0]);
        }
      }
    }
  }
  return true;
}
