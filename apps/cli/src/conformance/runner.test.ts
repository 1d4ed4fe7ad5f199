import { NSEC_PER_SEC } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import type { CommandContext, MachinePlugin } from "../machine/machine.js";
import { MachineFactory } from "../machine/plugins.js";
import { runScenario } from "./runner.js";

/**
 * A test plugin: `multipathd` whose `show daemon` answers after a delay and reports idle later,
 * `sg_turs` that sleeps a given number of seconds, and a `udevadm info` that prints the time.
 */
function testPlugin(opts: { answerAfterSecs?: number; idleAfterSecs?: number } = {}): MachinePlugin {
  return {
    name: "test",
    install(m) {
      let startedAt: number | null = null;
      m.registerCommand({
        name: "multipathd",
        providedBy: "test",
        run(argv: readonly string[], ctx: CommandContext) {
          const now = ctx.machine.clock.now();
          if (argv.length === 1) {
            startedAt = now;
            return 0;
          }
          if (startedAt === null || now - startedAt < (opts.answerAfterSecs ?? 0) * NSEC_PER_SEC) {
            ctx.io.stderr("ux_socket_connect: No such file or directory\n");
            return 1;
          }
          const idle = now - startedAt >= (opts.idleAfterSecs ?? 0) * NSEC_PER_SEC;
          ctx.io.stdout(`pid 240 ${idle ? "idle" : "running"}\n`);
          return 0;
        },
      });
      m.registerCommand({
        name: "sg_turs",
        providedBy: "test",
        async run(argv, ctx) {
          await ctx.sleep(Number(argv[1]) * NSEC_PER_SEC);
          ctx.io.stdout(`slept ${argv[1]}\n`);
          ctx.io.stderr("err line\n");
          return Number(argv[2] ?? 0);
        },
      });
      m.registerCommand({
        name: "udevadm",
        providedBy: "test",
        run(_argv, ctx) {
          ctx.io.stdout(`t=${ctx.machine.clock.now() / NSEC_PER_SEC}\n`);
          return 0;
        },
      });
    },
  };
}

async function run(text: string, plugin = testPlugin(), runUntilMissing = false) {
  const machine = await MachineFactory.of([plugin]).create();
  return runScenario(text, machine, { runUntilMissing });
}

describe("the runner's output conventions", () => {
  it("echoes a command, prints its output (stderr first: stdout is buffered) and its status", async () => {
    const r = await run("$ sg_turs 0 3\n");
    expect(r.transcript).toBe("$ sg_turs 0 3\nerr line\nslept 0\n[rc=3]\n");
  });

  it("prints sections, echoes and nothing for masks and comments", async () => {
    const r = await run("# c\n== one\n@echo hi  there\n@mask a b\n");
    expect(r.transcript).toBe("\n########## one\nhi  there\n");
    expect(r.outcome).toEqual({ kind: "completed" });
  });

  it("stops at a scenario error with [scn error: line N: MESSAGE]", async () => {
    const r = await run("@echo a\n$ ls\n@echo b\n");
    expect(r.transcript).toBe("a\n[scn error: line 2: command not allowed: ls]\n");
    expect(r.outcome).toEqual({ kind: "scn-error", line: 2, message: "command not allowed: ls" });
  });

  it("kills a command after 120 s with status 124", async () => {
    const r = await run("$ sg_turs 500\n$ udevadm info x\n");
    expect(r.transcript).toBe("$ sg_turs 500\n[rc=124]\n$ udevadm info x\nt=120\n[rc=0]\n");
  });
});

describe("virtual time", () => {
  it("@sleep advances the clock; commands take only the time they wait", async () => {
    const r = await run("@sleep 2.5\n$ udevadm info x\n$ sg_turs 3\n$ udevadm info x\n");
    expect(r.transcript).toContain("t=2.5\n");
    expect(r.transcript).toContain("t=5.5\n");
  });

  it("@bg starts a job and waits 0.5 s; @wait drives the clock until it ends", async () => {
    const r = await run("@bg j sg_turs 5 7\n$ udevadm info x\n@wait j\n$ udevadm info x\n");
    expect(r.transcript).toBe(
      "$ udevadm info x\nt=0.5\n[rc=0]\n[bg j]\nerr line\nslept 5\n[rc=7]\n$ udevadm info x\nt=5\n[rc=0]\n",
    );
  });

  it("@wait of a finished job prints it at once; a second @bg with the same name is refused", async () => {
    const r = await run("@bg j sg_turs 0\n@bg j sg_turs 0\n");
    expect(r.transcript).toBe("[scn error: line 2: @bg: j already running]\n");
    const w = await run("@bg j sg_turs 0\n@sleep 3\n@wait j\n@wait j\n");
    expect(w.transcript).toBe(
      "[bg j]\nerr line\nslept 0\n[rc=0]\n[scn error: line 4: @wait: no background command j]\n",
    );
  });

  it("@until reruns the command each second until a line matches", async () => {
    const r = await run(
      "@multipathd\n@until 10 multipathd show daemon ~ idle$\n$ udevadm info x\n",
      testPlugin({ idleAfterSecs: 3 }),
    );
    expect(r.transcript).toBe("$ udevadm info x\nt=3\n[rc=0]\n");
  });

  it("@until gives up after SECS with [until timed out: COMMAND]", async () => {
    const r = await run(
      "@multipathd\n@until 4 multipathd show  daemon ~ idle\n$ udevadm info x\n",
      testPlugin({ idleAfterSecs: 60 }),
    );
    expect(r.transcript).toBe("[until timed out: multipathd show  daemon]\n$ udevadm info x\nt=4\n[rc=0]\n");
  });

  it("@multipathd waits for the socket; @idle polls every 0.2 s", async () => {
    const r = await run(
      "@multipathd\n$ udevadm info x\n@idle 30\n$ udevadm info x\n",
      testPlugin({ answerAfterSecs: 1, idleAfterSecs: 2.1 }),
    );
    expect(r.transcript).toBe("$ udevadm info x\nt=1\n[rc=0]\n$ udevadm info x\nt=2.2\n[rc=0]\n");
  });

  it("@idle and @multipathd report timeouts", async () => {
    const r = await run("@multipathd\n@idle 1\n", testPlugin({ idleAfterSecs: 100 }));
    expect(r.transcript).toBe("[idle timed out]\n");
    const s = await run("@multipathd\n", testPlugin({ answerAfterSecs: 100 }));
    expect(s.transcript).toBe("[multipathd did not answer on its socket]\n");
  });
});

describe("capabilities", () => {
  it("skips a scenario that needs what no plugin provides, naming the package", async () => {
    const r = await run("@echo a\n$ multipath -ll\n", { name: "none", install() {} });
    expect(r).toEqual({
      transcript: "",
      outcome: { kind: "skipped", line: 2, reason: "needs multipath (@mp/daemon)" },
    });
  });

  it("names a fabric module and the fabric's directives", async () => {
    const none: MachinePlugin = { name: "none", install() {} };
    expect((await run("@modprobe scsi_debug\n", none)).outcome).toMatchObject({
      reason: "needs scsi_debug (@mp/fabric)",
    });
    expect((await run("@udev\n", none)).outcome).toMatchObject({ reason: "needs @udev (@mp/fabric)" });
    expect((await run("@write /sys/x y\n", none)).outcome).toMatchObject({
      reason: "needs sysfs (@mp/fabric)",
    });
    expect((await run("$ cat /etc/multipath/wwids\n", none)).outcome).toMatchObject({
      reason: "needs /etc/multipath (@mp/fabric)",
    });
  });

  it("a module a plugin offers to the kernel is no longer missing, whoever the table names", async () => {
    let loads = 0;
    const offers: MachinePlugin = {
      name: "offers",
      install(m) {
        m.services.kernel!.modules.offer({
          name: "scsi_debug",
          init() {
            loads++;
            return 0;
          },
        });
      },
    };
    const r = await run("@modprobe scsi_debug\n@echo loaded\n", offers);
    expect(r).toEqual({ transcript: "loaded\n", outcome: { kind: "completed" } });
    expect(loads).toBe(1);
  });

  it("with runUntilMissing, runs up to the missing line (mp scn)", async () => {
    const r = await run("@echo a\n@udev\n@echo b\n", { name: "none", install() {} }, true);
    expect(r.transcript).toBe("a\n");
    expect(r.outcome).toMatchObject({ kind: "skipped", line: 2 });
  });

  it("@modprobe loads dm-core's modules and reports modprobe's failure", async () => {
    const r = await run("@modprobe dm-multipath\n@modprobe nosuch\n");
    expect(r.transcript).toBe(
      "modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0-mp\n[modprobe nosuch failed: rc=1]\n",
    );
  });

  it("@loop attaches a loop device; a second attach of the same one is a scenario error", async () => {
    const r = await run(
      "@loop loop0 8M\n$ dmsetup create l --table '0 16384 linear 7:0 0'\n@loop loop0 8M\n",
    );
    expect(r.transcript).toBe(
      "$ dmsetup create l --table '0 16384 linear 7:0 0'\n[rc=0]\n[scn error: line 3: @loop: losetup failed]\n",
    );
  });
});

describe("@dmesg", () => {
  it("shows only device-mapper and I/O error lines since the last mark, without module banners", async () => {
    const r = await run(
      "@modprobe dm-multipath\n@loop loop0 8M\n@dmesg\n$ dmsetup create m --table '0 8 multipath 0 0 1 1 round-robin 0 1 1 7:0 1'\n$ dmsetup message m 0 fail_path 7:0\n@dmesg\n@dmesg\n",
    );
    expect(r.transcript).toContain("(dmesg: nothing new)\n$ dmsetup create");
    expect(r.transcript).toContain(
      "[rc=0]\ndmesg: device-mapper: multipath: 254:0: Failing path 7:0.\n(dmesg: nothing new)\n",
    );
  });
});
