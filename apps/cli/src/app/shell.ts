import type { ScnNode } from "../conformance/ast.js";
import { formatMissing } from "../conformance/capabilities.js";
import { parseScenario } from "../conformance/parser.js";
import { ScenarioSession } from "../conformance/session.js";
import type { ScenarioMachine } from "../machine/machine.js";

/** The words that end an `mp shell` session. */
const EXIT_WORDS = new Set(["exit", "quit", "logout"]);

/** What `mp shell` prints for `help`. */
export const SHELL_HELP = `Each line is a scenario directive, run at once on this machine (state is kept):
  $ COMMAND ARGS      run dmsetup, dd, multipath, multipathd, cat /sys/..., ... ("$ " may be left out)
  @loop loopN SIZE    attach a zero-filled loop device (e.g. @loop loop4 8M)
  @modprobe MODULE    load a kernel module
  @sleep SECS         let virtual time pass
  @bg NAME CMD ...    start a command in the background; @wait NAME collects it
  @until SECS CMD ~ RE   rerun CMD each second until its output matches RE
  @dmesg              kernel messages since the last @dmesg
  @config ... @end    write /etc/multipath.conf (needs the fabric)
  == TITLE            a section header
  help, exit
`;

/**
 * An interactive session on one simulated machine: every line is a scenario directive
 * (`$ ` optional before a command). Returns when the input ends or on `exit`.
 */
export async function runShell(
  machine: ScenarioMachine,
  lines: AsyncIterable<string>,
  write: (s: string) => void,
  prompt: (p: string) => void = () => {},
): Promise<void> {
  const session = new ScenarioSession(machine);
  let lineNo = 0;
  let config: string[] | null = null;
  prompt("mp> ");
  for await (const raw of lines) {
    lineNo++;
    let text = raw;
    if (config) {
      config.push(raw);
      if (!/^[ \t\n\v\f\r]*@end[ \t\n\v\f\r]*$/.test(raw)) {
        prompt("... ");
        continue;
      }
      text = config.join("\n");
      config = null;
    } else {
      const t = raw.trim();
      if (EXIT_WORDS.has(t)) break;
      if (t === "help") {
        write(SHELL_HELP);
        prompt("mp> ");
        continue;
      }
      if (/^@config[ \t\n\v\f\r]*$/.test(t)) {
        config = [raw];
        prompt("... ");
        continue;
      }
      if (t !== "" && !/^(\$ |@|==|#)/.test(t)) text = `$ ${t}`;
    }
    const parsed = parseScenario(`${text}\n`);
    for (const node of parsed.nodes) {
      const r = await session.step({ ...node, line: lineNo } as ScnNode);
      write(session.takeOutput());
      if (r.kind === "missing") write(`[not available on this machine: ${formatMissing(r.missing)}]\n`);
    }
    prompt("mp> ");
  }
}
