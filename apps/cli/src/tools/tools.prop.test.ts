import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultMachine } from "../app/one-shot.js";
import { ScenarioSession } from "../conformance/session.js";

/** Words a user might throw at the tools, mixing valid and nonsense. */
const dmsetupWord = fc.oneof(
  fc.constantFrom(
    "create",
    "remove",
    "load",
    "reload",
    "suspend",
    "resume",
    "info",
    "ls",
    "table",
    "status",
    "deps",
    "message",
    "rename",
    "wait",
    "clear",
    "mknodes",
    "mangle",
    "targets",
    "version",
    "splitname",
    "udevflags",
    "wipe_table",
    "remove_all",
    "m",
    "n",
    "0",
    "fail_path",
    "7:0",
    "-c",
    "-o",
    "name,attr",
    "--tree",
    "--table",
    "0 16384 multipath 0 0 1 1 round-robin 0 1 1 7:0 1",
    "0 8 linear 7:1 0",
    "--uuid",
    "--noflush",
    "--inactive",
    "--concise",
    "-j",
    "254",
    "-m",
    "-u",
    "--notable",
    "-v",
    "--target",
    "--deferred",
    "--force",
    "-",
    "--",
  ),
  fc.string({ maxLength: 8 }),
);

const ddWord = fc.oneof(
  fc.constantFrom(
    "if=/dev/zero",
    "if=/dev/loop0",
    "if=/dev/mapper/m",
    "of=/dev/null",
    "of=/dev/loop1",
    "bs=4k",
    "bs=512",
    "bs=3000",
    "count=2",
    "skip=1",
    "seek=3",
    "iflag=direct",
    "oflag=direct,dsync",
    "iflag=fullblock,count_bytes",
    "conv=noerror,sync",
    "conv=fsync",
    "status=none",
    "status=noxfer",
  ),
  fc.string({ maxLength: 10 }).map((s) => `${s}=${s}`),
);

async function session() {
  const s = new ScenarioSession(await defaultMachine());
  await s.runCommand([
    "dmsetup",
    "create",
    "m",
    "--table",
    "0 16384 multipath 1 queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1",
  ]);
  return s;
}

describe("the tools never crash on user input", () => {
  it("dmsetup: any argv gives a status and no internal error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dmsetupWord, { maxLength: 6 }), async (words) => {
        const s = await session();
        const r = await s.runCommand(["dmsetup", ...words]);
        expect(r.rc).toBeGreaterThanOrEqual(0);
        expect(r.output).not.toContain("internal error");
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("dd: any operands give a status and no internal error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ddWord, { maxLength: 6 }), async (words) => {
        const s = await session();
        const r = await s.runCommand(["dd", ...words]);
        expect(r.rc).toBeGreaterThanOrEqual(0);
        expect(r.output).not.toContain("internal error");
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
