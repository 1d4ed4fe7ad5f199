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
  const features = countedList(w);
  if (features === null) return false;
  mpp.features = features;
  mpp.queueMode = features.includes("queue_mode bio") ? QueueMode.BIO : QueueMode.RQ;
  const hwhandler = countedList(w);
  if (hwhandler === null) return false;
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

/* ------------------------------------------------------------------------------------------------
 * The same reads, memoised on the exact strings: multipathd re-reads a map's table and status
 * for every path it checks (`update_multipath_strings`), and in a steady state they are the
 * strings it read last time. Each string is tokenised once into what the readers above take
 * from it; applying that to a map does what they do, in the same order. A string the readers
 * would reject is never memoised: it goes through them as it is.
 */

/** A table string as {@link disassembleMap} reads it for a map with no selector yet. */
interface ParsedTable {
  readonly params: string;
  readonly features: string;
  readonly queueMode: number;
  readonly hwhandler: string;
  readonly numPg: number;
  readonly nextpg: number;
  /** `"<name> <nargs>"`, or null when there are no groups. */
  readonly selector: string | null;
  /**
   * Each group's paths' dev_t. A token is replaced by the equal `pp.devT` of the path it found
   * (the same text; lookups keyed on that string then compare by reference).
   */
  readonly devts: readonly string[][];
  /** Each group's paths' first argument through `atoi`, or -1 when absent (then ignored). */
  readonly firstArgs: readonly (readonly number[])[];
  readonly hasFirstArg: readonly (readonly boolean[])[];
}

/** A status string as {@link disassembleStatus} reads it. */
interface ParsedStatus {
  readonly status: string;
  readonly numFeatureArgs: number;
  /** The second feature argument through `atoi` (queued I/O), when there is one. */
  readonly queuedio: number;
  readonly numPg: number;
  /** Each group's state letter (its first character, "" for none). */
  readonly pgState: readonly string[];
  readonly numPaths: readonly number[];
  /** Each path's state word and fail count, per group. */
  readonly pathState: readonly (readonly string[])[];
  readonly failcount: readonly (readonly number[])[];
  /** Each path's selector arguments (null where the string ran out), per group. */
  readonly pathArgs: readonly (readonly (readonly (string | null)[])[])[];
}

/** The last table and status strings read for one map, tokenised. */
export class DmStringsMemo {
  table: ParsedTable | null = null;
  status: ParsedStatus | null = null;
}

/** A counted list (`2 queue_if_no_path retain_attached_hw_handler`) as one string, or null when cut short. */
function countedList(w: Words): string | null {
  const first = w.next();
  if (first === null) return null;
  let out = first;
  const n = atoi(first);
  for (let i = 0; i < n; i++) {
    const x = w.next();
    if (x === null) return null;
    out += ` ${x}`;
  }
  return out;
}

function parseTable(params: string): ParsedTable | null {
  const w = new Words(params);
  const features = countedList(w);
  if (features === null) return null;
  const hwhandler = countedList(w);
  if (hwhandler === null) return null;
  const npg = w.next();
  if (npg === null) return null;
  const numPg = atoi(npg);
  const next = w.next();
  if (next === null) return null;
  const nextpg = atoi(next);
  let selector: string | null = null;
  let numPgArgs = 0;
  const devts: string[][] = [];
  const firstArgs: number[][] = [];
  const hasFirstArg: boolean[][] = [];
  for (let i = 0; i < numPg; i++) {
    if (selector === null) {
      const sel = w.next();
      if (sel === null) return null;
      const args = w.next();
      if (args === null) return null;
      numPgArgs = atoi(args);
      selector = `${sel} ${args}`;
    } else {
      w.next();
      w.next();
    }
    for (let j = 0; j < numPgArgs; j++) w.next();
    const np = w.next();
    if (np === null) return null;
    const numPaths = atoi(np);
    const npa = w.next();
    if (npa === null) return null;
    const numPathArgs = atoi(npa);
    const d: string[] = [];
    const fa: number[] = [];
    const has: boolean[] = [];
    for (let j = 0; j < numPaths; j++) {
      const devt = w.next();
      if (devt === null) return null;
      d.push(devt);
      let first = -1;
      let got = false;
      for (let k = 0; k < numPathArgs; k++) {
        const a = w.next();
        if (k === 0 && a !== null) {
          first = atoi(a);
          got = true;
        }
      }
      fa.push(first);
      has.push(got);
    }
    devts.push(d);
    firstArgs.push(fa);
    hasFirstArg.push(has);
  }
  return {
    params,
    features,
    queueMode: features.includes("queue_mode bio") ? QueueMode.BIO : QueueMode.RQ,
    hwhandler,
    numPg,
    nextpg,
    selector,
    devts,
    firstArgs,
    hasFirstArg,
  };
}

function applyTable(t: ParsedTable, mpp: MpMap, find: (devt: string) => MpPath | null): void {
  mpp.features = t.features;
  mpp.queueMode = t.queueMode;
  mpp.hwhandler = t.hwhandler;
  if (t.numPg <= 0) mpp.pg = [];
  mpp.nextpg = t.nextpg;
  for (let i = 0; i < t.numPg; i++) {
    if (i === 0) mpp.selector = t.selector;
    const pg = addMpPathGroup(mpp);
    const devts = t.devts[i]!;
    const firstArgs = t.firstArgs[i]!;
    const has = t.hasFirstArg[i]!;
    for (let j = 0; j < devts.length; j++) {
      const devt = devts[j]!;
      let pp = find(devt);
      if (pp === null) {
        pp = allocPath();
        pp.devT = devt;
      } else if (pp.devT === devt) {
        // The same text as the path's own string: keep that one, so that the next read's
        // lookups compare keys by reference.
        devts[j] = pp.devT;
      }
      pg.paths.push(pp);
      pp.pgindex = i + 1;
      if (has[j]) {
        let defMinio = firstArgs[j]!;
        if (mpp.selector!.startsWith("round-robin") && mpp.rrWeight === RrWeight.PRIO && pp.priority > 0)
          defMinio = Math.trunc(defMinio / pp.priority);
        if (defMinio !== mpp.minio) mpp.minio = defMinio;
      }
    }
  }
}

/**
 * {@link disassembleMap} through `memo`: the same effects on `mpp`, the string tokenised only
 * when it differs from the last one read for this map with no selector set.
 */
export function disassembleMapMemo(
  memo: DmStringsMemo,
  pathvec: readonly MpPath[],
  params: string,
  mpp: MpMap,
  find: (devt: string) => MpPath | null,
): boolean {
  if (mpp.selector !== null) return disassembleMap(pathvec, params, mpp, find);
  let t = memo.table;
  if (t === null || t.params !== params) {
    t = parseTable(params);
    if (t === null) return disassembleMap(pathvec, params, mpp, find);
    memo.table = t;
  }
  applyTable(t, mpp, find);
  return true;
}

function parseStatus(status: string): ParsedStatus | null {
  const w = new Words(status);
  const nf = w.next();
  if (nf === null) return null;
  const numFeatureArgs = atoi(nf);
  let queuedio = 0;
  for (let i = 0; i < numFeatureArgs; i++) {
    const x = w.next();
    if (i === 1) {
      if (x === null) return null;
      queuedio = atoi(x);
    }
  }
  const nh = w.next();
  if (nh === null) return null;
  const numHw = atoi(nh);
  for (let i = 0; i < numHw; i++) w.next();
  const npg = w.next();
  if (npg === null) return null;
  const numPg = atoi(npg);
  const pgState: string[] = [];
  const numPathsOf: number[] = [];
  const pathState: string[][] = [];
  const failcount: number[][] = [];
  const pathArgs: (string | null)[][][] = [];
  if (numPg !== 0) {
    w.next();
    for (let i = 0; i < numPg; i++) {
      const st = w.next();
      if (st === null) return null;
      pgState.push(st.length > 0 ? st[0]! : "");
      const na = w.next();
      if (na === null) return null;
      const numPgArgs = atoi(na);
      for (let j = 0; j < numPgArgs; j++) w.next();
      const np = w.next();
      if (np === null) return null;
      const numPaths = atoi(np);
      const npa = w.next();
      if (npa === null) return null;
      const numPathArgs = atoi(npa);
      numPathsOf.push(numPaths);
      const ps: string[] = [];
      const fc: number[] = [];
      const pa: (string | null)[][] = [];
      for (let j = 0; j < numPaths; j++) {
        w.next();
        const s = w.next();
        if (s === null) return null;
        const c = w.next();
        if (c === null) return null;
        ps.push(s);
        fc.push(atoi(c));
        const args: (string | null)[] = [];
        for (let k = 0; k < numPathArgs; k++) args.push(w.next());
        pa.push(args);
      }
      pathState.push(ps);
      failcount.push(fc);
      pathArgs.push(pa);
    }
  }
  return {
    status,
    numFeatureArgs,
    queuedio,
    numPg,
    pgState,
    numPaths: numPathsOf,
    pathState,
    failcount,
    pathArgs,
  };
}

function applyStatus(s: ParsedStatus, mpp: MpMap): boolean {
  if (s.numFeatureArgs > 1) mpp.queuedio = s.queuedio !== 0;
  const numPg = s.numPg;
  if (numPg === 0) return true;
  if (mpp.pg.length < numPg) return false;
  for (let i = 0; i < numPg; i++) {
    const pg = mpp.pg[i]!;
    switch (s.pgState[i]) {
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
    const numPaths = s.numPaths[i]!;
    if (pg.paths.length < numPaths) return false;
    const states = s.pathState[i]!;
    const fcs = s.failcount[i]!;
    const args = s.pathArgs[i]!;
    for (let j = 0; j < numPaths; j++) {
      const pp = pg.paths[j]!;
      const st = states[j]!;
      if (st[0] === "F") pp.dmstate = DmPathState.FAILED;
      else if (st[0] === "A") pp.dmstate = DmPathState.ACTIVE;
      pp.failcount = fcs[j]!;
      const pa = args[j]!;
      for (let k = 0; k < pa.length; k++) {
        const a = pa[k]!;
        if (a !== null && mpp.selector?.startsWith("least-pending")) {
          const m = /^[+-]?\d+/.exec(a);
          if (m && Number(m[0]) !== mpp.minio) mpp.minio = Number(m[0]);
        }
      }
    }
  }
  return true;
}

/** {@link disassembleStatus} through `memo`: the same effects, the string tokenised once. */
export function disassembleStatusMemo(memo: DmStringsMemo, status: string, mpp: MpMap): boolean {
  let s = memo.status;
  if (s === null || s.status !== status) {
    s = parseStatus(status);
    if (s === null) return disassembleStatus(status, mpp);
    memo.status = s;
  }
  return applyStatus(s, mpp);
}
