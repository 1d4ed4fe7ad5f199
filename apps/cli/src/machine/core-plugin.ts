import { Errno, strerror } from "@mp/dm-core";
import { writeErrorLine } from "../conformance/session.js";
import type { CommandContext, MachinePlugin, Missing, ScenarioMachine } from "./machine.js";
import { MissingCapability } from "./machine.js";

/**
 * What every machine has on top of its services: `cat` (over sysfs and the /etc file store),
 * `@config` (writes /etc/multipath.conf into the file store) and `@write` (a sysfs attribute).
 * They need the fabric's sysfs and file store; without them a scenario using them is skipped.
 */

const FABRIC = "@mp/fabric";

function needsFor(path: string, m: ScenarioMachine): Missing | null {
  if (path.startsWith("/sys/")) return m.services.sysfs ? null : { what: "sysfs", provider: FABRIC };
  return m.services.files ? null : { what: "/etc/multipath", provider: FABRIC };
}

/** `open` + `read` of one file: its contents, or the errno cat reports. */
function readPath(path: string, m: ScenarioMachine): string | { readonly errno: number } {
  const { sysfs, files } = m.services;
  if (path.startsWith("/sys/")) {
    if (sysfs?.readResult) return sysfs.readResult(path);
    const text = sysfs?.read(path) ?? null;
    if (text !== null) return text;
    return { errno: sysfs?.list(path) != null ? Errno.EISDIR : Errno.ENOENT };
  }
  const text = files?.read(path) ?? null;
  if (text !== null) return text;
  return { errno: files?.list(path) != null ? Errno.EISDIR : Errno.ENOENT };
}

/**
 * coreutils `cat FILE…` over the machine's sysfs and file store. cat writes with write(2), not
 * stdio, so its output and its error lines reach the pipe in the order they happen.
 */
async function cat(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let rc = 0;
  for (const path of argv.slice(1)) {
    const miss = needsFor(path, ctx.machine);
    if (miss) throw new MissingCapability(miss);
    const r = readPath(path, ctx.machine);
    if (typeof r === "string") {
      ctx.io.stdout(r);
      ctx.io.flush();
      continue;
    }
    ctx.io.stderr(`cat: ${path}: ${strerror(r.errno)}\n`);
    rc = 1;
  }
  return rc;
}

/** The core plugin (this package). */
export const corePlugin: MachinePlugin = {
  name: "@mp/cli",
  install(m) {
    m.registerCommand({
      name: "cat",
      providedBy: "@mp/cli",
      run: cat,
      missing: (argv, machine) => {
        for (const p of argv.slice(1)) {
          const miss = needsFor(p, machine);
          if (miss) return miss;
        }
        return null;
      },
    });
    m.registerDirective("config", () => ({
      providedBy: "@mp/cli",
      missing: (_node, machine) =>
        machine.services.files ? null : { what: "/etc/multipath.conf", provider: FABRIC },
      async run(node, ctx) {
        const files = ctx.machine.services.files;
        if (!files) throw new MissingCapability({ what: "/etc/multipath.conf", provider: FABRIC });
        files.write("/etc/multipath.conf", node.text);
        return "";
      },
    }));
    m.registerDirective("write", () => ({
      providedBy: "@mp/cli",
      missing: (_node, machine) => (machine.services.sysfs ? null : { what: "sysfs", provider: FABRIC }),
      async run(node, ctx) {
        const sysfs = ctx.machine.services.sysfs;
        if (!sysfs) throw new MissingCapability({ what: "sysfs", provider: FABRIC });
        let out = `$ echo ${node.value} > ${node.path}\n`;
        const errno = sysfs.write(node.path, `${node.value}\n`);
        if (errno !== 0) out += writeErrorLine(errno);
        // Let the kernel and daemons react to the write before the next directive.
        await ctx.advance(0);
        return `${out}[rc=${errno === 0 ? 0 : 1}]\n`;
      },
    }));
  },
};
