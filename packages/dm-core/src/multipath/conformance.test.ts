import { existsSync, readdirSync, readFileSync } from "node:fs";
import { sharedPath } from "@mp/tooling/shared";
import { describe, expect, it } from "vitest";
import { ScnReplayer } from "./testing/scn-replay.js";

// The recorded transcripts of the real kernel (Debian 12, 6.1, dm-multipath 1.14.0) live next to
// the repository (../shared/conformance, as the root `conformance` script expects).
const DIR = sharedPath("conformance/dm");
const scenarios = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith(".scn"))
      .sort()
  : [];

describe.skipIf(scenarios.length === 0)("dm conformance transcripts through createKernel", () => {
  it.each(scenarios)("%s replays byte for byte", (file) => {
    const scn = readFileSync(`${DIR}/${file}`, "utf8");
    const expected = readFileSync(`${DIR}/${file.replace(/\.scn$/, ".out")}`, "utf8");
    const r = new ScnReplayer().run(scn);
    // Scenarios that need dmsetup reports this replayer does not print (ls --tree, info -o, …)
    // are compared by the product's runner in apps/cli; here only complete replays count.
    if (r.unsupported.length > 0) return;
    expect(r.transcript).toBe(expected);
  });

  it("replays most dm scenarios completely", () => {
    const complete = scenarios.filter(
      (f) => new ScnReplayer().run(readFileSync(`${DIR}/${f}`, "utf8")).unsupported.length === 0,
    );
    expect(complete.length).toBeGreaterThanOrEqual(16);
  });
});
