#!/usr/bin/env node
import { createInterface } from "node:readline";
import { Command } from "commander";
import { conformanceCommand, demoCommand, type Out, oneShotCommand, scnCommand } from "./app/commands.js";
import { defaultMachine } from "./app/one-shot.js";
import { runShell } from "./app/shell.js";
import { registerBenchCommand } from "./commands/bench.js";
import { registerSimCommand } from "./commands/sim.js";
import { registerTuiCommand } from "./commands/tui.js";
import { MachineFactory } from "./machine/plugins.js";

const out: Out = {
  stdout: (s) => {
    process.stdout.write(s);
  },
  stderr: (s) => {
    process.stderr.write(s);
  },
};

/** Tools whose arguments go through untouched to their own (real-tool-compatible) parsers. */
const PASSTHROUGH_TOOLS = new Set(["dmsetup", "dd"]);

function finish(rc: number): void {
  process.exitCode = rc;
}

async function main(argv: readonly string[]): Promise<void> {
  const sub = argv[2];
  if (sub !== undefined && PASSTHROUGH_TOOLS.has(sub)) {
    finish(await oneShotCommand(argv.slice(2), out));
    return;
  }
  if (sub === "multipath" || sub === "multipathd") {
    const tools = await import("./commands/multipath.js");
    finish(
      await (sub === "multipath" ? tools.multipathCommand : tools.multipathdCommand)(argv.slice(3), out),
    );
    return;
  }

  const program = new Command();
  program
    .name("mp")
    .description(
      "Linux multipath modelled: the device-mapper multipath target (Linux 6.1) and its tools, in virtual time",
    )
    .version("0.1.0");

  program
    .command("conformance")
    .description("replay every .scn scenario under DIR… and compare with the .out beside it")
    .argument("<dir...>", "directories (or .scn files)")
    .option("--diff", "show the first differing lines of each failure")
    .option("--filter <name>", "only scenarios whose name contains NAME")
    .action(async (dirs: string[], opts: { diff?: boolean; filter?: string }) => {
      finish(await conformanceCommand(dirs, opts, out));
    });

  program
    .command("scn")
    .description("print a scenario's transcript (what the kernel lab's run-scn prints)")
    .argument("<file>", "a .scn file")
    .action(async (file: string) => {
      finish(await scnCommand(file, out));
    });

  program
    .command("shell")
    .description("an interactive session on one simulated machine; each line is a scenario directive")
    .action(async () => {
      const factory = await MachineFactory.discover();
      const machine = await defaultMachine(factory);
      const tty = process.stdin.isTTY === true;
      if (tty) {
        out.stdout(
          `mp shell: a simulated machine (${machine.plugins.join(", ")}); dm modules loaded, loop0-loop3 (8M) attached.\nType help for the directives, exit to leave.\n`,
        );
      }
      const rl = createInterface({ input: process.stdin, terminal: false });
      await runShell(machine, rl, out.stdout, tty ? out.stdout : () => {});
      rl.close();
      finish(0);
    });

  program
    .command("dmsetup")
    .description("dmsetup (device-mapper 1.02.185) on a fresh machine: dm modules loaded, loop0-loop3 (8M)")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]");

  program
    .command("dd")
    .description("coreutils dd on a fresh machine (block devices, /dev/zero, /dev/null)")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]");

  program
    .command("multipath")
    .description(
      "multipath (multipath-tools 0.9.4) once on a fresh simulated host with scsi_debug disks [--config FILE --hosts N --luns N]",
    )
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]");

  program
    .command("multipathd")
    .description(
      "multipathd on a simulated host serving @mp/multipathd (no command), or its client: mp multipathd [--socket @NAME] show maps",
    )
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]");

  program
    .command("demo")
    .description("the pre-dashboard demo: a dmsetup session on simulated loop devices")
    .action(async () => {
      finish(await demoCommand(out));
    });

  registerSimCommand(program, finish);
  registerTuiCommand(program, finish);
  registerBenchCommand(program, finish);

  await program.parseAsync([...argv]);
}

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`mp: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 70;
});
