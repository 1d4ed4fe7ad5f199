import type { DmInfo } from "@mp/dm-core";
import { mkdev } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { DEFAULT_INFO_FIELDS, parseFields, parseSortKeys, Report, type ReportObject } from "./report.js";
import { DepTree, defaultTreeOptions, drawTree, parseTreeOptions } from "./tree.js";

function info(name: string, minor: number, extra: Partial<DmInfo> = {}): DmInfo {
  return {
    name,
    uuid: "",
    devt: mkdev(254, minor),
    suspended: false,
    readOnly: false,
    liveTable: true,
    inactiveTable: false,
    openCount: 0,
    eventNr: 0,
    targetCount: 1,
    deferredRemove: false,
    internalSuspend: false,
    ...extra,
  };
}

function obj(i: DmInfo): ReportObject {
  return {
    name: i.name,
    uuid: i.uuid,
    info: i,
    readAhead: () => 256,
    blockName: (d) => `dm-${d & 0xfffff}`,
    fail: () => {},
  };
}

const opts = {
  aligned: true,
  headings: true,
  separator: " ",
  namePrefixes: false,
  quoted: true,
  rows: false,
  sortKeys: [],
};

describe("dmsetup info -c reports", () => {
  it("aligns strings left and numbers right under padded headings, keeping trailing blanks", () => {
    const f = parseFields(DEFAULT_INFO_FIELDS);
    if (!f.ok) throw new Error("fields");
    const r = new Report(f.fields, opts);
    r.addRow(obj(info("rl", 0, { uuid: "mpath-lab-rl" })));
    r.addRow(obj(info("a-much-longer-name", 11, { openCount: 1, eventNr: 2 })));
    expect(r.render()).toBe(
      "Name               Maj Min Stat Open Targ Event  UUID                            \n" +
        "rl                 254   0 L--w    0    1      0 mpath-lab-rl                    \n" +
        "a-much-longer-name 254  11 L--w    1    1      2                                 \n",
    );
  });

  it("matches field names without underscores and case, and the *_all groups", () => {
    const f = parseFields("NAME,tablesloaded,info_all");
    expect(f.ok && f.fields.map((x) => x.id)).toEqual([
      "name",
      "tables_loaded",
      "blkdevname",
      "attr",
      "tables_loaded",
      "suspended",
      "readonly",
      "devno",
      "major",
      "minor",
      "open",
      "segments",
      "events",
    ]);
    expect(parseFields("name,,major")).toMatchObject({ ok: true });
    expect(parseFields("nosuch")).toEqual({ ok: false, badField: "nosuch" });
    expect(parseFields("name,help")).toMatchObject({ ok: true, help: true });
  });

  it("--noheadings and --separator print unaligned fields", () => {
    const f = parseFields("name,major,minor");
    if (!f.ok) throw new Error("fields");
    const r = new Report(f.fields, { ...opts, aligned: false, headings: false, separator: ":" });
    r.addRow(obj(info("rl", 0)));
    expect(r.render()).toBe("rl:254:0\n");
  });

  it("sorts by keys, descending with -", () => {
    const f = parseFields("name,minor");
    const k = parseSortKeys("-minor");
    if (!f.ok || !k.ok) throw new Error("fields");
    const r = new Report(f.fields, { ...opts, aligned: false, sortKeys: k.keys });
    r.addRow(obj(info("a", 1)));
    r.addRow(obj(info("b", 5)));
    expect(r.render()).toBe("Name Min\nb 5\na 1\n");
  });

  it("an empty report prints nothing, not even headings", () => {
    const f = parseFields("name");
    if (!f.ok) throw new Error("fields");
    expect(new Report(f.fields, opts).render()).toBe("");
  });
});

describe("dmsetup ls --tree", () => {
  const devices: Record<number, { name: string; deps: number[] }> = {
    [mkdev(254, 2)]: { name: "mf", deps: [mkdev(254, 1), mkdev(254, 0)] },
    [mkdev(254, 1)]: { name: "p1", deps: [mkdev(7, 1)] },
    [mkdev(254, 0)]: { name: "p0", deps: [mkdev(7, 0)] },
  };
  const tree = () => {
    const t = new DepTree({
      isDm: (d) => d >>> 20 === 254,
      deps: (d) => {
        const x = devices[d];
        return x ? { info: info(x.name, d & 0xfffff), name: x.name, uuid: "", deps: x.deps } : null;
      },
    });
    for (const d of [mkdev(254, 2), mkdev(254, 0), mkdev(254, 1)]) t.addDev(d);
    return t;
  };

  it("draws devices used by others under them, in dependency order", () => {
    expect(drawTree(tree(), defaultTreeOptions(), () => undefined)).toBe(
      "mf (254:2)\n |-p1 (254:1)\n |  `- (7:1)\n `-p0 (254:0)\n    `- (7:0)\n",
    );
  });

  it("draws the inverted tree from the bottom", () => {
    const o = parseTreeOptions("inverted");
    if (!o.ok) throw new Error("opts");
    expect(drawTree(tree(), o.opts, () => undefined)).toBe(
      " (7:1)\n `-p1 (254:1)\n    `-mf (254:2)\n (7:0)\n `-p0 (254:0)\n    `-mf (254:2)\n",
    );
  });

  it("refuses unknown tree options, naming the rest of the list", () => {
    expect(parseTreeOptions("ascii,foo,bar")).toEqual({ ok: false, bad: "foo,bar" });
    expect(parseTreeOptions("act,rw")).toMatchObject({ ok: true, opts: { active: true, rw: true } });
  });
});
