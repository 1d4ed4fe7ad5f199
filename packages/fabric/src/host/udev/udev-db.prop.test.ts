import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PropertyKeys, UdevDbIndex, UdevProperties, UdevRecord } from "./udev.js";

// The database as udevd's _finish keeps it (devpath → record, in insertion order), and the
// lookups as full scans of it in that order: what the index must answer like.
type Ev = {
  devpath: string;
  remove: boolean;
  sysname: string;
  subsystem: string;
  node: string | null;
  links: string[];
};

function record(e: Ev, seq: number): UdevRecord {
  return new UdevRecord({
    devpath: `/devices/${e.devpath}/${e.sysname}`,
    subsystem: e.subsystem,
    devtype: undefined,
    devnode: e.node ?? undefined,
    devnum: undefined,
    properties: new Map(),
    devlinks: e.links,
    linkPriority: 0,
    seqnum: seq,
    usecInitialized: 0,
    driver: undefined,
  });
}

const ev: fc.Arbitrary<Ev> = fc.record({
  devpath: fc.constantFrom("a", "b", "c", "d"),
  remove: fc.boolean(),
  sysname: fc.constantFrom("sda", "sdb", "0:0:0:0"),
  subsystem: fc.constantFrom("block", "scsi"),
  node: fc.option(fc.constantFrom("/dev/sda", "/dev/sdb"), { nil: null }),
  links: fc.uniqueArray(fc.constantFrom("/dev/disk/by-id/x", "/dev/disk/by-id/y", "/dev/mapper/m"), {
    maxLength: 2,
  }),
});

describe("UdevDbIndex", () => {
  it("finds the earliest record of a key (and a subsystem) and every owner of a link, as full scans of the database do", () => {
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 60 }), (evs) => {
        const db = new Map<string, UdevRecord>();
        const index = new UdevDbIndex();
        let seq = 0;
        for (const e of evs) {
          const r = record(e, seq++);
          const old = db.get(r.devpath);
          if (old) index.remove(old, e.remove);
          if (e.remove) db.delete(r.devpath);
          else {
            db.set(r.devpath, r);
            index.add(r, old === undefined);
          }
          const scan = (pick: (x: UdevRecord) => boolean) => [...db.values()].find(pick) ?? null;
          for (const name of ["sda", "sdb", "0:0:0:0"])
            for (const sub of [null, "block", "scsi"])
              expect(index.first(index.bySysname, name, sub)).toBe(
                scan((x) => x.sysname === name && (sub === null || x.subsystem === sub)),
              );
          for (const node of ["/dev/sda", "/dev/sdb"])
            expect(index.first(index.byDevnode, node, null)).toBe(scan((x) => x.devnode === node));
          for (const l of ["/dev/disk/by-id/x", "/dev/disk/by-id/y", "/dev/mapper/m"])
            expect(new Set(index.all(index.byDevlink, l))).toEqual(
              new Set([...db.values()].filter((x) => x.devlinks.includes(l))),
            );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("UdevProperties", () => {
  it("reads as the Map it was made from (key lists shared or not): lookups, size, and every iteration in insertion order", () => {
    const key = fc.constantFrom("DEVPATH", "DEVNAME", "ID_SERIAL", "ID_WWN", "DEVLINKS", "MAJOR", "x");
    const pairs = fc.array(fc.tuple(key, fc.string({ maxLength: 4 })), { maxLength: 12 });
    // Several maps through one key registry: maps with the same keys in the same order share a
    // list, and none reads another's.
    fc.assert(
      fc.property(fc.array(pairs, { minLength: 1, maxLength: 6 }), (many) => {
        const shared = new PropertyKeys();
        const made = many.map((ps) => {
          const m = new Map<string, string>(ps);
          return [m, UdevProperties.of(m, shared)] as const;
        });
        for (const [m, p] of [
          ...made,
          ...many.map((ps) => [new Map(ps), UdevProperties.of(new Map(ps))] as const),
        ])
          expectSameAs(p, m);
      }),
      { numRuns: 200 },
    );
  });
});

/** `p` reads exactly as `m` does. */
function expectSameAs(p: UdevProperties, m: Map<string, string>): void {
  expect(p.size).toBe(m.size);
  for (const k of ["DEVPATH", "DEVNAME", "ID_SERIAL", "ID_WWN", "DEVLINKS", "MAJOR", "x", "y"]) {
    expect(p.get(k)).toBe(m.get(k));
    expect(p.has(k)).toBe(m.has(k));
  }
  expect([...p]).toEqual([...m]);
  expect([...p.entries()]).toEqual([...m.entries()]);
  expect([...p.keys()]).toEqual([...m.keys()]);
  expect([...p.values()]).toEqual([...m.values()]);
  const seen: Array<[string, string]> = [];
  p.forEach((v, k, map) => {
    expect(map).toBe(p);
    seen.push([k, v]);
  });
  expect(seen).toEqual([...m]);
  expect(new Map(p)).toEqual(m);
}
