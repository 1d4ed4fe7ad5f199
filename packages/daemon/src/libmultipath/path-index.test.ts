import { describe, expect, it } from "vitest";
import { PathIndex } from "./path-index.js";
import { allocPath, type MpPath } from "./structs.js";

function path(devT: string): MpPath {
  const pp = allocPath();
  pp.devT = devT;
  return pp;
}

describe("PathIndex", () => {
  it("finds paths by dev_t and follows edits of the vector", () => {
    const idx = new PathIndex();
    const vec = [path("8:0"), path("8:16"), path("8:32")];
    expect(idx.byDevt(vec, "8:16")).toBe(vec[1]);
    expect(idx.byDevt(vec, "8:48")).toBeNull();
    const gone = vec.splice(0, 1)[0]!;
    expect(idx.byDevt(vec, "8:0")).toBeNull();
    expect(idx.byDevt(vec, "8:32")).toBe(vec[1]);
    // same length, element replaced in place
    vec[0] = path("8:64");
    expect(idx.byDevt(vec, "8:64")).toBe(vec[0]);
    expect(idx.byDevt(vec, "8:16")).toBeNull();
    vec.push(gone);
    expect(idx.byDevt(vec, "8:0")).toBe(gone);
  });

  it("returns the first of duplicates, as a linear search would", () => {
    const idx = new PathIndex();
    const a = path("8:0");
    const b = path("8:0");
    expect(idx.byDevt([a, b], "8:0")).toBe(a);
  });

  it("works over several vectors", () => {
    const idx = new PathIndex();
    const v1 = [path("8:0")];
    const v2 = [path("8:16")];
    expect(idx.byDevt(v1, "8:0")).toBe(v1[0]);
    expect(idx.byDevt(v2, "8:0")).toBeNull();
    expect(idx.byDevt(v2, "8:16")).toBe(v2[0]);
    expect(idx.byDevt(v1, "8:0")).toBe(v1[0]);
  });
});
