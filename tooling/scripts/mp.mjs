#!/usr/bin/env node
// `pnpm mp …`: runs the mp binary of this clone. The CLI and what it depends on are built first
// through turbo (a cache hit when nothing changed), so a fresh clone needs only `pnpm install`;
// turbo's chatter goes nowhere unless the build fails, so mp's own output stays clean for pipes.
// The command runs in the directory pnpm was started from (INIT_CWD), so relative paths work.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const turbo = join(root, "node_modules", ".bin", process.platform === "win32" ? "turbo.cmd" : "turbo");
const main = join(root, "apps", "cli", "dist", "main.js");

if (process.env.MP_NO_BUILD !== "1") {
  if (!existsSync(turbo)) {
    console.error("mp: dependencies are not installed; run `pnpm install` first");
    process.exit(2);
  }
  const build = spawnSync(turbo, ["run", "build", "--filter=@mp/cli...", "--output-logs=errors-only"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    shell: process.platform === "win32",
  });
  if (build.status !== 0) {
    process.stderr.write(build.stdout ?? "");
    process.stderr.write(build.stderr ?? "");
    console.error("mp: building the CLI failed");
    process.exit(build.status ?? 1);
  }
}
const run = spawnSync(process.execPath, [main, ...process.argv.slice(2)], {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdio: "inherit",
});
if (run.error) {
  console.error(`mp: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? (run.signal ? 128 : 1));
