#!/usr/bin/env node
// `pnpm conformance`: replays the steering repository's transcripts (shared/conformance) and the
// project's own lab-recorded ones on the simulator, byte for byte.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sharedPath } from "../shared/locate.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const own = [
  "packages/fabric/test/conformance",
  "packages/dm-core/test/conformance",
  "apps/tui/test/conformance",
].map((d) => join(root, d));
const r = spawnSync(
  process.execPath,
  [
    join(root, "apps/cli/dist/main.js"),
    "conformance",
    sharedPath("conformance"),
    ...own,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
