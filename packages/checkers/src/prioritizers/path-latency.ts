import { Bio, BlkStatus, ReqOp } from "@mp/dm-core";
import { bdevBlockSize } from "../checkers/directio.js";
import { definePrioritizer, PRIO_UNDEF, type Prioritizer } from "../prio.js";
import { nextString } from "../scanf.js";

const MAX_IO_NUM = 200;
const MIN_IO_NUM = 20;
const DEF_IO_NUM = 100;
const MAX_BASE_NUM = 10;
const MIN_BASE_NUM = 1.1;
/** 10^(1/4): four priority steps per decade of latency. */
const DEF_BASE_NUM = 1.77827941004;
const MAX_AVG_LATENCY = 100000000; // µs
const MIN_AVG_LATENCY = 1; // µs
const DEFAULT_PRIORITY = 0;

/** C `(int)x` on x86-64: truncation; NaN and out-of-range give INT_MIN. */
function cInt(x: number): number {
  if (!Number.isFinite(x) || x >= 2 ** 31 || x < -(2 ** 31)) return -(2 ** 31);
  return Math.trunc(x);
}

/** C `strtoul(s, …, 10)` cast to int: digits after optional blanks and sign; 0 without digits. */
function strtoulInt(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(s);
  if (!m) return 0;
  const v = Number(BigInt.asUintN(64, BigInt(m[1] === "-" ? `-${m[2]}` : m[2]!)) & 0xffffffffn);
  return v | 0;
}

/** C `strtod`: the longest decimal (or inf/nan) prefix; 0 when there is none. */
function strtod(s: string): number {
  const m =
    /^[ \t\n\v\f\r]*([+-]?(?:inf(?:inity)?|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?))/i.exec(s);
  if (!m) return 0;
  const t = m[1]!.toLowerCase();
  if (t.includes("inf")) return t.startsWith("-") ? -Infinity : Infinity;
  if (t.includes("nan")) return Number.NaN;
  return Number(t);
}

/** `%.*e` as C prints it: at least two exponent digits. */
export function cExp(v: number, digits: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const [m, e] = v.toExponential(digits).split("e");
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

/**
 * `get_ionum_and_basenum`: exactly two words, `io_num=N` and `base_num=B` (either order), within
 * 20..200 and 1.1..10; null (with the range message logged) otherwise.
 */
export function parsePathLatencyArgs(
  args: string | null,
  log: (prio: number, msg: string) => void,
): { ioNum: number; baseNum: number } | null {
  const plog = (prio: number, msg: string) => log(prio, `path_latency prio: ${msg}`);
  if (args === null) {
    plog(0, "args string is NULL");
    return null;
  }
  let ioNum = 0;
  let baseNum = 0;
  let flagIo = false;
  let flagBase = false;
  let rest: string | null = args;
  for (let i = 0; i < 2; i++) {
    let str: string | null;
    [str, rest] = nextString(rest);
    if (str === null) return null;
    if (str.startsWith("io_num=") && str.length > 7) {
      ioNum = strtoulInt(str.slice(7));
      flagIo = true;
    } else if (str.startsWith("base_num=") && str.length > 9) {
      baseNum = strtod(str.slice(9));
      flagBase = true;
    }
  }
  if (!flagIo || !flagBase) return null;
  if (ioNum < MIN_IO_NUM || ioNum > MAX_IO_NUM) {
    plog(0, "args io_num is outside the valid range");
    return null;
  }
  if (baseNum < MIN_BASE_NUM || baseNum > MAX_BASE_NUM) {
    plog(0, "args base_num is outside the valid range");
    return null;
  }
  return { ioNum, baseNum };
}

/** `calcPrio`: the log-scale distance of the average latency from the maximum. */
export function calcPrio(lgAvg: number, lgMax: number, lgMin: number): number {
  if (lgAvg <= lgMin) return cInt(lgMax - lgMin);
  if (lgAvg >= lgMax) return 0;
  return cInt(lgMax - lgAvg);
}

/**
 * The `path_latency` prioritizer: `io_num` direct reads of one block at offset 0, one after the
 * other; the priority grows with the negative logarithm (base `base_num`) of their mean latency:
 * with the defaults, 32 for 1 µs down to 0 for 100 s. A failed read gives -1.
 */
export function createPathLatencyPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "path_latency",
    getprio(pp, args, _timeout, env, done) {
      const { host, log } = env;
      const plog = (prio: number, msg: string) => log(prio, `path_latency prio: ${msg}`);
      if (!pp.fdValid) {
        done(-1);
        return;
      }
      let p = parsePathLatencyArgs(args, log);
      if (!p) {
        p = { ioNum: DEF_IO_NUM, baseNum: DEF_BASE_NUM };
        plog(
          0,
          `${pp.dev}: fails to get path_latency args, set default:io_num=${p.ioNum} base_num=${p.baseNum.toFixed(3)}`,
        );
      }
      const { ioNum, baseNum } = p;
      const lgBase = Math.log(baseNum);
      const lgMax = Math.log(MAX_AVG_LATENCY) / lgBase;
      const lgMin = Math.log(MIN_AVG_LATENCY) / lgBase;
      const h = host.openBlock(pp.dev);
      if ("errno" in h) {
        done(PRIO_UNDEF);
        return;
      }
      const blksize = Math.min(4096, bdevBlockSize(h.logicalBlockSize, h.sizeSectors() * 512));
      const bio = new Bio();
      let left = ioNum;
      let total = 0;
      let sumSquares = 0;
      let before = 0;
      const finish = (): void => {
        h.close();
        const lgAvg = total / ioNum;
        if (lgAvg > lgMax) {
          plog(
            2,
            `${pp.dev}: average latency (${Math.trunc(baseNum ** lgAvg)} us) is outside the threshold (${MAX_AVG_LATENCY} us)`,
          );
          done(DEFAULT_PRIORITY);
          return;
        }
        const sd = Math.sqrt((sumSquares - total * lgAvg) / (ioNum - 1));
        const rc = calcPrio(lgAvg, lgMax, lgMin);
        plog(
          3,
          `${pp.dev}: latency avg=${cExp(Math.exp(lgAvg * lgBase), 2)} uncertainty=${Math.exp(sd * lgBase).toFixed(1)} prio=${rc}\n`,
        );
        done(rc);
      };
      const next = (): void => {
        if (left-- <= 0) {
          finish();
          return;
        }
        bio.reset();
        bio.op = ReqOp.READ;
        bio.sector = 0;
        bio.bytes = blksize;
        bio.data = new Uint8Array(blksize);
        bio.endIo = ended;
        before = host.clock.now();
        h.submit(bio);
      };
      const ended = (b: Bio): void => {
        if (b.status !== BlkStatus.OK) {
          plog(0, `${pp.dev}: path down`);
          h.close();
          done(-1);
          return;
        }
        const diff = Math.floor((host.clock.now() - before) / 1000);
        if (diff !== 0) {
          const rel = Math.log(diff) / lgBase;
          total += rel;
          sumSquares += rel * rel;
        }
        next();
      };
      next();
    },
  });
}
