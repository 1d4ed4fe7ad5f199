import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sharedPath } from "@mp/tooling/shared";
import { describe, expect, it } from "vitest";
import { MachineFactory } from "../machine/plugins.js";
import { checkScenario, findScenarios } from "./suite.js";

// The real kernel's transcripts (Debian 12, 6.1, dm-multipath 1.14.0, device-mapper 1.02.185).
const DIR = sharedPath("conformance/dm");
const files = existsSync(DIR) ? findScenarios([DIR]) : [];

describe.skipIf(files.length === 0)("every dm conformance scenario through the runner", () => {
  const factory = MachineFactory.of();
  it.each(files.map((f) => [f.name, f] as const))("%s matches the real transcript", async (_name, file) => {
    const v = await checkScenario(file, () => factory.create());
    expect(v.kind === "fail" ? `${v.why}\n${v.diff}` : v.kind).toBe("pass");
  });
});

describe.skipIf(files.length === 0)("the dm scenarios on the full composition (every package plugin)", () => {
  it("all pass with the fabric and daemon plugins installed too", async () => {
    const factory = await MachineFactory.discover();
    const failed: string[] = [];
    for (const f of files) {
      const v = await checkScenario(f, () => factory.create());
      if (v.kind !== "pass") failed.push(`${f.name}: ${v.kind}`);
    }
    expect(failed).toEqual([]);
  });
});

// More dmsetup and dd behaviour, recorded with the same kernel lab (apps/cli's own fixtures).
const LAB = fileURLToPath(new URL("../tools/dmsetup/fixtures/lab", import.meta.url));

describe("dmsetup and dd scenarios recorded by the kernel lab", () => {
  const factory = MachineFactory.of();
  it.each(findScenarios([LAB]).map((f) => [f.name, f] as const))("%s matches", async (_name, file) => {
    const v = await checkScenario(file, () => factory.create());
    expect(v.kind === "fail" ? `${v.why}\n${v.diff}` : v.kind).toBe("pass");
  });
});
