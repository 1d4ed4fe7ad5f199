/**
 * Configurations run through the real multipath-tools 0.9.4 (`multipath -t`, Debian 12): each
 * fixture directory holds multipath.conf and/or conf.d/ and the tool's output (timestamps masked,
 * device tables hashed). The model must print the same warnings, dump and exit status.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseFiles, FIXTURES, hashDevices, loadConfig, lookupUser, memFiles, multipathT } from "./helpers.js";

const ORACLE = join(FIXTURES, "oracle");

describe("multipath -t on configurations checked against the real tool", () => {
  for (const name of readdirSync(ORACLE).sort()) {
    it(name, () => {
      const dir = join(ORACLE, name);
      const expected = readFileSync(join(dir, "expected.out"), "utf8");
      const r = loadConfig({ files: memFiles(caseFiles(dir)), lookupUser });
      expect(hashDevices(multipathT(r))).toBe(expected);
    });
  }
});
