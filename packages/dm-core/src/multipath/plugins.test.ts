import { describe, expect, it } from "vitest";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { PluginError } from "../errors.js";
import {
  type AddPathResult,
  type DmPath,
  definePathSelector,
  type PathSelector,
  type StatusType,
} from "../selectors/path-selector.js";
import { FakeKernel } from "./testing/fake-dm.js";

/** A plugin selector: always the valid path with the highest weight (per-path arg). */
const weighted = definePathSelector({
  name: "weighted",
  version: [1, 0, 0],
  tableArgs: 1,
  infoArgs: 2,
  create(args) {
    const paths: Array<{ path: DmPath; weight: number; failed: boolean; picks: number }> = [];
    const sel: PathSelector = {
      addPath(path, a): AddPathResult {
        const w = Number(a[0] ?? "1");
        if (!Number.isInteger(w)) return { ok: false, error: "weighted ps: bad weight" };
        paths.push({ path, weight: w, failed: false, picks: 0 });
        path.pscontext = paths[paths.length - 1];
        return { ok: true };
      },
      failPath(p) {
        (p.pscontext as (typeof paths)[number]).failed = true;
      },
      reinstatePath(p) {
        (p.pscontext as (typeof paths)[number]).failed = false;
        return 0;
      },
      select() {
        let best: (typeof paths)[number] | null = null;
        for (const p of paths) if (!p.failed && (!best || p.weight > best.weight)) best = p;
        if (best) best.picks++;
        return best?.path ?? null;
      },
      status(p: DmPath | null, type: StatusType) {
        if (!p) return `1 ${args[0] ?? "x"}`;
        const pi = p.pscontext as (typeof paths)[number];
        return type === "info" ? `${pi.picks} ${pi.weight}` : type === "table" ? String(pi.weight) : "";
      },
      destroy() {
        paths.length = 0;
      },
    };
    return { ok: true, selector: sel };
  },
});

describe("path selector plugins", () => {
  it("a selector registered with definePathSelector is used by a table like a built-in one", () => {
    const k = new FakeKernel();
    k.addLoop(0);
    k.addLoop(1);
    k.selectors.register(weighted);
    const r = k.create("w", "0 16384 multipath 0 0 1 1 weighted 1 tag 2 1 7:0 1 7:1 5");
    if (!r.ok) throw new Error(r.error);
    for (let i = 0; i < 3; i++) r.map.read(i * 8);
    k.settle();
    expect(r.map.status()).toBe("0 16384 multipath 2 0 0 0 1 1 A 1 tag 2 2 7:0 A 0 0 1 7:1 A 0 3 5 ");
    expect(r.map.status("table")).toBe("0 16384 multipath 0 0 1 1 weighted 1 tag 2 1 7:0 1 7:1 5 ");
    r.map.message("fail_path 7:1");
    r.map.read(0);
    k.settle();
    expect(r.map.status()).toContain("7:0 A 0 1 1 7:1 F 1 3 5");
  });

  it("its add_path error becomes ti->error", () => {
    const k = new FakeKernel();
    k.addLoop(0);
    k.selectors.register(weighted);
    const r = k.create("w", "0 16384 multipath 0 0 1 1 weighted 0 1 1 7:0 x");
    expect(r.ok ? "" : r.error).toBe("weighted ps: bad weight");
  });

  it("definePathSelector rejects malformed types with a PluginError", () => {
    expect(() => definePathSelector({ ...weighted, name: "two words" })).toThrow(PluginError);
    expect(() => definePathSelector({ ...weighted, tableArgs: -1 })).toThrow(PluginError);
    expect(() =>
      definePathSelector({ ...weighted, version: [1, 0] as unknown as [number, number, number] }),
    ).toThrow(PluginError);
  });
});

describe("rate-limited selector warnings (DMWARN_LIMIT)", () => {
  it("prints at most 10 per 5 s per call site, then reports the suppressed count", () => {
    const k = new FakeKernel();
    const paths: string[] = [];
    for (let i = 0; i < 12; i++) {
      k.addLoop(i);
      paths.push(`7:${i} 5`);
    }
    k.dmesg();
    const r = k.create("rr", `0 16384 multipath 0 0 1 1 round-robin 0 12 1 ${paths.join(" ")}`);
    expect(r.ok).toBe(true);
    const warn = "device-mapper: multipath round-robin: repeat_count > 1 is deprecated, using 1 instead";
    expect(k.dmesg()).toEqual(Array(10).fill(warn));
    k.clock.advance(6 * NSEC_PER_SEC);
    k.create("rr2", "0 16384 multipath 0 0 1 1 round-robin 0 1 1 7:0 5");
    expect(
      k.log
        .since(0)
        .map((l) => l.text)
        .slice(-2),
    ).toEqual(["rr_add_path: 2 callbacks suppressed", warn]);
  });
});
