import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DmPathState } from "../structs/path-state.js";
import { NoPathRetry, PgState } from "../structs/structs.js";
import { assembleMap, disassembleMap, disassembleStatus } from "./dmparser.js";
import { addMpPathGroup, allocMultipath, allocPath, type MpMap, type MpPath } from "./structs.js";

function mapOf(
  groups: string[][],
  o: { features?: string; noPathRetry?: number; bestpg?: number } = {},
): {
  mpp: MpMap;
  pathvec: MpPath[];
} {
  const mpp = allocMultipath();
  mpp.features = o.features ?? "0";
  mpp.hwhandler = "1 alua";
  mpp.selector = "service-time 0";
  mpp.minio = 1;
  mpp.bestpg = o.bestpg ?? 1;
  mpp.noPathRetry = o.noPathRetry ?? NoPathRetry.UNDEF;
  const pathvec: MpPath[] = [];
  for (const g of groups) {
    const pg = addMpPathGroup(mpp);
    for (const devT of g) {
      const pp = allocPath();
      pp.devT = devT;
      pp.dev = `dev${devT}`;
      pg.paths.push(pp);
      pathvec.push(pp);
    }
  }
  return { mpp, pathvec };
}

describe("assemble_map", () => {
  it("writes the table multipathd loads for two single-path groups (basic-two-paths)", () => {
    const { mpp } = mapOf([["8:0"], ["8:16"]]);
    expect(assembleMap(mpp)).toBe("0 1 alua 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1");
  });

  it("adds queue_if_no_path to the features when no_path_retry queues or counts", () => {
    for (const npr of [NoPathRetry.QUEUE, 5]) {
      const { mpp } = mapOf([["8:0"]], { noPathRetry: npr });
      expect(assembleMap(mpp)).toBe("1 queue_if_no_path 1 alua 1 1 service-time 0 1 1 8:0 1");
    }
    const { mpp } = mapOf([["8:0"]], { noPathRetry: NoPathRetry.FAIL });
    expect(assembleMap(mpp)).toBe("0 1 alua 1 1 service-time 0 1 1 8:0 1");
  });

  it("fails on a path without a dev_t and says which", () => {
    const { mpp } = mapOf([["8:0", ""]]);
    const said: string[] = [];
    expect(assembleMap(mpp, false, (m) => said.push(m))).toBeNull();
    expect(said).toEqual(["dev_t not set for 'dev'"]);
  });
});

describe("disassemble_map / disassemble_status", () => {
  it("reads the kernel's table back into groups of the known paths", () => {
    const { pathvec } = mapOf([["8:0", "8:16"], ["8:32"]]);
    const m = allocMultipath();
    const ok = disassembleMap(
      pathvec,
      "1 queue_if_no_path 1 alua 2 2 service-time 0 2 2 8:0 1 1 8:16 1 1 service-time 0 1 2 8:32 1 1",
      m,
    );
    expect(ok).toBe(true);
    expect(m.features).toBe("1 queue_if_no_path");
    expect(m.hwhandler).toBe("1 alua");
    expect(m.selector).toBe("service-time 0");
    expect(m.nextpg).toBe(2);
    expect(m.pg.map((g) => g.paths.map((p) => p.devT))).toEqual([["8:0", "8:16"], ["8:32"]]);
    // known paths are reused, not copied
    expect(m.pg[0]!.paths[0]).toBe(pathvec[0]);
    expect(m.pg[1]!.paths[0]!.pgindex).toBe(2);
  });

  it("creates bare paths for devices it does not know", () => {
    const m = allocMultipath();
    expect(disassembleMap([], "0 0 1 1 round-robin 0 1 1 7:0 1", m)).toBe(true);
    expect(m.pg[0]!.paths[0]!.devT).toBe("7:0");
    expect(m.pg[0]!.paths[0]!.dev).toBe("");
  });

  it("rejects a truncated table and drops its groups", () => {
    const m = allocMultipath();
    expect(disassembleMap([], "0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1", m)).toBe(false);
    expect(m.pg).toEqual([]);
  });

  it("takes group and path states and fail counts from the status (a failed path, group 2 active)", () => {
    const { pathvec } = mapOf([["8:0"], ["8:16"]]);
    const m = allocMultipath();
    disassembleMap(pathvec, "0 1 alua 2 1 service-time 0 1 2 8:0 1 1 service-time 0 1 2 8:16 1 1", m);
    expect(disassembleStatus("2 0 1 0 2 2 E 0 1 2 8:0 F 1 0 1 A 0 1 2 8:16 A 0 0 1", m)).toBe(true);
    expect(m.pg.map((g) => g.status)).toEqual([PgState.ENABLED, PgState.ACTIVE]);
    expect(m.pg[0]!.paths[0]!.dmstate).toBe(DmPathState.FAILED);
    expect(m.pg[0]!.paths[0]!.failcount).toBe(1);
    expect(m.pg[1]!.paths[0]!.dmstate).toBe(DmPathState.ACTIVE);
    // Upstream stores the second feature word (the kernel's pg_init_count) as `queuedio`.
    expect(m.queuedio).toBe(true);
    expect(disassembleStatus("2 1 0 0 2 1 E 0 1 2 8:0 A 0 0 1 E 0 1 2 8:16 A 0 0 1", m)).toBe(true);
    expect(m.queuedio).toBe(false);
  });

  it("law: disassembling an assembled table gives back the groups, paths and features", () => {
    const devt = fc
      .tuple(fc.integer({ min: 1, max: 259 }), fc.integer({ min: 0, max: 1023 }))
      .map(([a, b]) => `${a}:${b}`);
    fc.assert(
      fc.property(
        fc
          .uniqueArray(devt, { minLength: 1, maxLength: 12 })
          .chain((devts) =>
            fc.tuple(
              fc.constant(devts),
              fc.array(fc.integer({ min: 1, max: 4 }), { minLength: devts.length, maxLength: devts.length }),
            ),
          ),
        fc.constantFrom(NoPathRetry.UNDEF, NoPathRetry.QUEUE, NoPathRetry.FAIL, 3),
        ([devts, groupOf], npr) => {
          const groups: string[][] = [];
          devts.forEach((d, i) => {
            const g = groupOf[i]! - 1;
            while (groups.length <= g) groups.push([]);
            groups[g]!.push(d);
          });
          const nonEmpty = groups.filter((g) => g.length > 0);
          const { mpp, pathvec } = mapOf(nonEmpty, { noPathRetry: npr });
          const params = assembleMap(mpp);
          if (params === null) return false;
          const back = allocMultipath();
          if (!disassembleMap(pathvec, params, back)) return false;
          expect(back.pg.map((g) => g.paths.map((p) => p.devT))).toEqual(nonEmpty);
          expect(back.features).toBe(mpp.features);
          expect(back.hwhandler).toBe(mpp.hwhandler);
          expect(back.selector).toBe(mpp.selector);
          return true;
        },
      ),
    );
  });
});
