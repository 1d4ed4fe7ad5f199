import type { Missing, ScenarioMachine } from "../machine/machine.js";
import type { ScnNode } from "./ast.js";

/**
 * Which package is expected to provide what a scenario may need, for the skip reason when nobody
 * registered it yet (`skipped: needs scsi_debug (@mp/fabric)`).
 */
const EXPECTED_PROVIDER: Record<string, string> = {
  "command:multipath": "@mp/daemon",
  "command:multipathd": "@mp/daemon",
  "command:sg_turs": "@mp/fabric",
  "command:udevadm": "@mp/fabric",
  "command:cat": "@mp/fabric",
  "command:dmsetup": "@mp/cli",
  "command:dd": "@mp/cli",
  "command:blockdev": "@mp/cli (not modelled yet)",
  "directive:udev": "@mp/fabric",
  "directive:write": "@mp/fabric",
  "directive:config": "@mp/fabric",
  "directive:loop": "@mp/dm-core",
  "directive:modprobe": "@mp/dm-core",
  "module:scsi_debug": "@mp/fabric",
  "module:scsi_mod": "@mp/fabric",
  "module:sd_mod": "@mp/fabric",
  "module:sg": "@mp/fabric",
};

/** The package expected to provide a command, directive or kernel module nobody registered. */
export function expectedProvider(kind: "command" | "directive" | "module", name: string): string {
  const key = `${kind}:${kind === "module" ? name.replace(/-/g, "_") : name}`;
  return EXPECTED_PROVIDER[key] ?? "an unknown package";
}

function missingCommand(argv: readonly string[], machine: ScenarioMachine): Missing | null {
  const name = argv[0]!;
  const spec = machine.commands.get(name);
  if (!spec) return { what: name, provider: expectedProvider("command", name) };
  return spec.missing?.(argv, machine) ?? null;
}

function missingDirective(node: ScnNode, machine: ScenarioMachine): Missing | null {
  switch (node.kind) {
    case "modprobe": {
      // A module the kernel does not offer, that comes with a package not installed.
      const provider = EXPECTED_PROVIDER[`module:${node.module.replace(/-/g, "_")}`];
      if (provider && !machine.services.kernel?.modules.has(node.module))
        return { what: node.module, provider };
      const h = machine.directives.get("modprobe");
      if (!h) return { what: "@modprobe", provider: expectedProvider("directive", "modprobe") };
      return h.missing?.(node as never, machine) ?? null;
    }
    case "loop":
    case "udev":
    case "config":
    case "write": {
      const h = machine.directives.get(node.kind);
      if (!h) return { what: `@${node.kind}`, provider: expectedProvider("directive", node.kind) };
      // biome-ignore lint/suspicious/noExplicitAny: the handler is the one registered for node.kind
      return h.missing?.(node as any, machine) ?? null;
    }
    case "multipathd":
    case "idle":
      return missingCommand(["multipathd", "show", "daemon"], machine);
    case "run":
    case "bg":
    case "until":
      return missingCommand(node.command.words, machine);
    case "dmesg":
    case "dmesg-clear":
      return machine.services.kernel ? null : { what: "a kernel log", provider: "@mp/dm-core" };
    default:
      return null;
  }
}

/**
 * The first thing the scenario needs that the machine lacks, with its line, or null when the
 * machine can run all of it (up to a scenario error, which is reported as such).
 */
export function findMissing(
  nodes: readonly ScnNode[],
  machine: ScenarioMachine,
): { readonly line: number; readonly missing: Missing } | null {
  for (const node of nodes) {
    if (node.kind === "error") return null;
    const m = missingDirective(node, machine);
    if (m) return { line: node.line, missing: m };
  }
  return null;
}

/** `needs scsi_debug (@mp/fabric)`. */
export function formatMissing(m: Missing): string {
  return `needs ${m.what} (${m.provider})`;
}
