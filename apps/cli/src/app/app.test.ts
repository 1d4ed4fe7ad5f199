import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MachineFactory } from "../machine/plugins.js";
import { conformanceCommand, demoCommand, type Out, scnCommand } from "./commands.js";
import { defaultMachine, runOneShot } from "./one-shot.js";
import { runShell } from "./shell.js";

function capture(): Out & { out: string; err: string } {
  const c = {
    out: "",
    err: "",
    stdout(s: string) {
      c.out += s;
    },
    stderr(s: string) {
      c.err += s;
    },
  };
  return c;
}

async function* lines(...ls: string[]): AsyncIterable<string> {
  for (const l of ls) yield l;
}

describe("mp dmsetup (one-shot on a default machine)", () => {
  it("shows Linux's verdict on a table, with the kernel's reason", async () => {
    const r = await runOneShot([
      "dmsetup",
      "create",
      "t",
      "--table",
      "0 16384 multipath 0 0 1 1 round-robin 0 1 1 7:9 1",
    ]);
    expect(r).toEqual({
      stdout: "",
      stderr: "device-mapper: reload ioctl on t (254:0) failed: No such device or address\nCommand failed.\n",
      dmesg: [
        "device-mapper: table: 254:0: multipath: error getting device (-ENXIO)",
        "device-mapper: ioctl: error adding target to table",
      ],
      rc: 1,
    });
  });

  it("has loop0-loop3 of 8 MiB and the dm modules", async () => {
    const r = await runOneShot(["dmsetup", "create", "l", "--table", "0 16384 linear 7:3 0"]);
    expect(r.rc).toBe(0);
    const t = await runOneShot(["dmsetup", "targets"], await defaultMachine());
    expect(t.stdout).toContain("multipath        v1.14.0\n");
  });
});

describe("mp shell", () => {
  it("runs each line as a directive on one machine, $ optional", async () => {
    const c = capture();
    await runShell(
      await defaultMachine(),
      lines(
        "dmsetup create s --table '0 16384 linear 7:0 0'",
        "$ dmsetup ls",
        "@sleep 1",
        "ls",
        "help",
        "exit",
        "dmsetup ls",
      ),
      c.stdout,
    );
    expect(c.out).toContain(
      "$ dmsetup create s --table '0 16384 linear 7:0 0'\n[rc=0]\n$ dmsetup ls\ns\t(254:0)\n[rc=0]\n",
    );
    expect(c.out).toContain("[scn error: line 4: command not allowed: ls]\n");
    expect(c.out).toContain("Each line is a scenario directive");
    // Nothing after exit runs.
    expect(c.out.match(/\$ dmsetup ls/g)).toHaveLength(1);
  });

  it("collects an @config block until @end and says when the machine lacks something", async () => {
    const c = capture();
    await runShell(await defaultMachine(), lines("@config", "defaults {", "}", "@end", "@udev"), c.stdout);
    expect(c.out).toBe(
      "[not available on this machine: needs /etc/multipath.conf (@mp/fabric)]\n[not available on this machine: needs @udev (@mp/fabric)]\n",
    );
  });
});

describe("mp scn and mp conformance", () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-cli-"));
  writeFileSync(join(dir, "ok.scn"), "@echo hello\n@mask 'h.llo' 'X'\n");
  writeFileSync(join(dir, "ok.out"), "hallo\n");
  writeFileSync(join(dir, "bad.scn"), "@echo bye\n");
  writeFileSync(join(dir, "bad.out"), "by\n");
  writeFileSync(join(dir, "skip.scn"), "@udev\n");
  writeFileSync(join(dir, "skip.out"), "");

  it("mp scn prints the transcript", async () => {
    const c = capture();
    expect(await scnCommand(join(dir, "ok.scn"), c, MachineFactory.of())).toBe(0);
    expect(c.out).toBe("hello\n");
  });

  it("mp scn says where it stopped when the machine lacks something", async () => {
    const c = capture();
    expect(await scnCommand(join(dir, "skip.scn"), c, MachineFactory.of())).toBe(3);
    expect(c.err).toBe("mp scn: stopped at line 1: needs @udev (@mp/fabric)\n");
  });

  it("mp conformance prints a verdict per scenario and a summary, and fails on a difference", async () => {
    const c = capture();
    expect(await conformanceCommand([dir], { diff: true }, c, MachineFactory.of())).toBe(1);
    const name = dir.split("/").pop();
    expect(c.out).toBe(
      `FAIL ${name}/bad (transcript differs)\n` +
        "    --- expected (masked)\n    +++ actual (masked)\n    @@ -1,1 +1,1 @@\n    -by\n    +bye\n" +
        `PASS ${name}/ok\nSKIP ${name}/skip (line 1: needs @udev (@mp/fabric))\n1 passed, 1 failed, 1 skipped\n`,
    );
  });

  it("--filter keeps the matching scenarios", async () => {
    const c = capture();
    expect(await conformanceCommand([dir], { filter: "ok" }, c, MachineFactory.of())).toBe(0);
    expect(c.out).toMatch(/PASS .*\/ok\n1 passed, 0 failed, 0 skipped\n$/);
  });
});

describe("mp demo", () => {
  it("replays the demo scenario and says it is the pre-dashboard demo", async () => {
    const c = capture();
    expect(await demoCommand(c)).toBe(0);
    expect(c.out).toMatch(/^mp demo — the pre-dashboard demo/);
    expect(c.out).toContain("[bg reader]\n[rc=0]\n");
    expect(c.out).toContain("dd: error reading '/dev/mapper/demo': Input/output error\n");
  });
});
