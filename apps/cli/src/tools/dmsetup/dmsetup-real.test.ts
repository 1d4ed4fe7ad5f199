import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultMachine } from "../../app/one-shot.js";
import { ScenarioSession } from "../../conformance/session.js";

/**
 * Outputs of the real dmsetup 1.02.185 (Debian 12) for command lines that never reach the kernel
 * (argument errors, usage, field lists, cookies, splitname), recorded with stdout and stderr on one
 * pipe: `=== dmsetup ARGS`, the output, `[rc=N]`.
 */
function cases(file: string): Array<[string, string, number]> {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8");
  const out: Array<[string, string, number]> = [];
  const re = /^=== dmsetup ?(.*)\n([\s\S]*?)\[rc=(\d+)\]\n/gm;
  for (const m of text.matchAll(re)) out.push([m[1]!, m[2]!, Number(m[3])]);
  return out;
}

async function run(args: string): Promise<{ output: string; rc: number }> {
  const session = new ScenarioSession(await defaultMachine());
  const argv = ["dmsetup", ...args.split(" ").filter((w) => w !== "")];
  return session.runCommand(argv);
}

describe("dmsetup prints what the real dmsetup prints", () => {
  it.each(cases("getopt-errors.txt"))("getopt_long: dmsetup %s", async (args, expected, rc) => {
    expect(await run(args)).toMatchObject({ output: expected, rc });
  });

  it.each(cases("no-kernel.txt"))("dmsetup %s", async (args, expected, rc) => {
    expect(await run(args)).toMatchObject({ output: expected, rc });
  });

  it("--help prints the usage on stderr and exits 0", async () => {
    const usage = readFileSync(new URL("./fixtures/usage.txt", import.meta.url), "utf8");
    expect(await run("--help")).toMatchObject({ output: usage, rc: 0 });
  });

  it("help -c adds the report field list", async () => {
    const text = readFileSync(new URL("./fixtures/help-columns.txt", import.meta.url), "utf8");
    expect(await run("help -c")).toMatchObject({ output: text, rc: 0 });
  });

  it("an unknown -o field lists every field, then names it", async () => {
    const text = readFileSync(new URL("./fixtures/unknown-field.txt", import.meta.url), "utf8");
    expect(await run("info -c -o foo")).toMatchObject({ output: text, rc: 1 });
  });
});
