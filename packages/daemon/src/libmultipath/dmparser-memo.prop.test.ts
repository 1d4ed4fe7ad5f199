import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RrWeight } from "../structs/structs.js";
import {
  DmStringsMemo,
  disassembleMap,
  disassembleMapMemo,
  disassembleStatus,
  disassembleStatusMemo,
} from "./dmparser.js";
import { addMpPathGroup, allocMultipath, allocPath, type MpMap, type MpPath } from "./structs.js";

/** A map and the path vector it reads against, as `update_multipath_strings` leaves them. */
interface World {
  mpp: MpMap;
  pathvec: MpPath[];
}

interface Setup {
  /** Paths the daemon knows (dev_t 8:<16 i>) and their priorities. */
  prios: number[];
  rrWeight: number;
  minio: number;
  /** The selector left from before (null: reset, as update_multipath_strings does). */
  selector: string | null;
  /** Groups already in the map (status reads into them). */
  groups: number[][];
}

function world(s: Setup): World {
  const mpp = allocMultipath();
  mpp.rrWeight = s.rrWeight;
  mpp.minio = s.minio;
  mpp.selector = s.selector;
  const pathvec = s.prios.map((prio, i) => {
    const pp = allocPath();
    pp.devT = `8:${16 * i}`;
    pp.dev = `sd${i}`;
    pp.priority = prio;
    return pp;
  });
  for (const g of s.groups) {
    const pg = addMpPathGroup(mpp);
    for (const i of g) if (pathvec[i]) pg.paths.push(pathvec[i]!);
  }
  return { mpp, pathvec };
}

/** What the readers leave in a map, paths named by dev_t. */
function project(w: World): unknown {
  const m = w.mpp;
  return {
    features: m.features,
    queueMode: m.queueMode,
    hwhandler: m.hwhandler,
    nextpg: m.nextpg,
    selector: m.selector,
    minio: m.minio,
    queuedio: m.queuedio,
    pg: m.pg.map((pg) => ({
      status: pg.status,
      paths: pg.paths.map((pp) => ({
        devT: pp.devT,
        known: w.pathvec.includes(pp),
        pgindex: pp.pgindex,
        dmstate: pp.dmstate,
        failcount: pp.failcount,
      })),
    })),
  };
}

const num = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom("-1", "+2", "07", "x", "2147483648", "99999999999") },
);
const devt = fc.integer({ min: 0, max: 6 }).map((i) => `8:${16 * i}`);
const selName = fc.constantFrom("round-robin", "service-time", "least-pending", "queue-length");

/** A well-formed multipath table, sometimes truncated or with a count off. */
const table = fc
  .record({
    features: fc.constantFrom(
      "0",
      "1 queue_if_no_path",
      "3 queue_if_no_path queue_mode bio",
      "2 pg_init_retries",
    ),
    hw: fc.constantFrom("0", "1 alua", "2 emc 1"),
    next: fc.integer({ min: 0, max: 3 }),
    sel: selName,
    selArgs: fc.integer({ min: 0, max: 2 }),
    groups: fc.array(fc.array(fc.tuple(devt, fc.integer({ min: 1, max: 1000 })), { maxLength: 4 }), {
      maxLength: 3,
    }),
    pathArgs: fc.integer({ min: 0, max: 2 }),
    cut: fc.option(fc.nat(200)),
    npg: fc.option(num),
  })
  .map((t) => {
    const words = [t.features, t.hw, String(t.npg ?? t.groups.length), String(t.next)];
    for (const g of t.groups) {
      words.push(t.sel, String(t.selArgs), ...Array.from({ length: t.selArgs }, () => "1"));
      words.push(String(g.length), String(t.pathArgs));
      for (const [d, a] of g) words.push(d, ...Array.from({ length: t.pathArgs }, (_, k) => String(a + k)));
    }
    const s = words.join(" ");
    return t.cut === null ? s : s.slice(0, t.cut);
  });

/** A well-formed multipath status, sometimes truncated or with a count off. */
const status = fc
  .record({
    features: fc.constantFrom("0", "2 0 0", "2 1 5", "1 0"),
    hw: fc.constantFrom("0", "1 0"),
    groups: fc.array(
      fc.tuple(
        fc.constantFrom("A", "E", "D", "X"),
        fc.array(fc.tuple(devt, fc.constantFrom("A", "F", "?"), fc.nat(9)), { maxLength: 4 }),
      ),
      { maxLength: 3 },
    ),
    pathArgs: fc.integer({ min: 0, max: 2 }),
    cut: fc.option(fc.nat(160)),
    npg: fc.option(num),
  })
  .map((t) => {
    const words = [t.features, t.hw, String(t.npg ?? t.groups.length), "1"];
    for (const [st, paths] of t.groups) {
      words.push(st, "0", String(paths.length), String(t.pathArgs));
      for (const [d, s, f] of paths)
        words.push(d, s, String(f), ...Array.from({ length: t.pathArgs }, () => "7"));
    }
    const s = words.join(" ");
    return t.cut === null ? s : s.slice(0, t.cut);
  });

const setup: fc.Arbitrary<Setup> = fc.record({
  prios: fc.array(fc.integer({ min: -1, max: 50 }), { minLength: 0, maxLength: 6 }),
  rrWeight: fc.constantFrom(RrWeight.UNDEF, RrWeight.PRIO, RrWeight.NONE),
  minio: fc.integer({ min: 0, max: 1000 }),
  selector: fc.option(fc.constantFrom("round-robin 0", "least-pending 0", "service-time 0"), { freq: 3 }),
  groups: fc.array(fc.array(fc.nat(6), { maxLength: 4 }), { maxLength: 3 }),
});

describe("disassemble_map / disassemble_status memoised on the strings", () => {
  it("leave every map as the plain readers do, through a run of repeated and changed strings", () => {
    fc.assert(
      fc.property(
        fc.array(table, { minLength: 1, maxLength: 3 }),
        fc.array(status, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(setup, fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
        (tables, statuses, reads) => {
          // One memo across the run: most reads hit it, as a checker pass does.
          const memo = new DmStringsMemo();
          for (const [s, ti, si] of reads) {
            const params = tables[ti % tables.length]!;
            const st = statuses[si % statuses.length]!;
            const plain = world(s);
            const memoised = world(s);
            const find = (w: World) => (d: string) => w.pathvec.find((pp) => pp.devT === d) ?? null;
            const a = disassembleMap(plain.pathvec, params, plain.mpp, find(plain));
            const b = disassembleMapMemo(memo, memoised.pathvec, params, memoised.mpp, find(memoised));
            expect(b).toBe(a);
            expect(project(memoised)).toEqual(project(plain));
            expect(disassembleStatusMemo(memo, st, memoised.mpp)).toBe(disassembleStatus(st, plain.mpp));
            expect(project(memoised)).toEqual(project(plain));
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
