#!/usr/bin/env node
// Runs the pnpm version pinned in the root package.json ("packageManager"), so that a fresh
// machine with only Node and npm can run `npm start` / `npm test`. A matching global pnpm is
// used when present; otherwise npm fetches the pinned one once into its cache (npm exec).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pinned = String(pkg.packageManager ?? "")
  .replace(/^pnpm@/, "")
  .split("+")[0];
if (!pinned) {
  console.error("package.json has no packageManager pin");
  process.exit(2);
}
const args = process.argv.slice(2);
const env = { ...process.env, COREPACK_ENABLE_STRICT: "0" };
const shell = process.platform === "win32";

const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8", env, shell });
const global = probe.status === 0 ? probe.stdout.trim() : "";
const run =
  global === pinned
    ? spawnSync("pnpm", args, { stdio: "inherit", env, cwd: root, shell })
    : spawnSync("npm", ["exec", "--yes", `--package=pnpm@${pinned}`, "--", "pnpm", ...args], {
        stdio: "inherit",
        env,
        cwd: root,
        shell,
      });
if (run.error) {
  console.error(run.error.message);
  process.exit(1);
}
process.exit(run.status ?? 1);
