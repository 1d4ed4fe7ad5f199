import { composeMachine } from "./compose.js";
import { corePlugin } from "./core-plugin.js";
import { dmPlugin } from "./dm-plugin.js";
import type { MachinePlugin, ScenarioMachine } from "./machine.js";

/**
 * The packages that may contribute to a machine, in composition order. Each one registers by
 * exporting `scenarioPlugin` (a {@link MachinePlugin}) from its entry point; until it does, what
 * it would provide is reported as missing and the scenarios that need it are skipped.
 */
const PLUGIN_PACKAGES = ["@mp/fabric", "@mp/daemon"] as const;

/** Why a package's plugin could not be used (shown by `mp conformance`). */
export interface PluginProblem {
  readonly pkg: string;
  readonly message: string;
}

function isPlugin(x: unknown): x is MachinePlugin {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as { name?: unknown }).name === "string" &&
    typeof (x as { install?: unknown }).install === "function"
  );
}

/** Loads the `scenarioPlugin` exports of the packages that have one. */
export async function discoverPlugins(): Promise<{ plugins: MachinePlugin[]; problems: PluginProblem[] }> {
  const plugins: MachinePlugin[] = [];
  const problems: PluginProblem[] = [];
  for (const pkg of PLUGIN_PACKAGES) {
    let ns: Record<string, unknown>;
    try {
      ns = (await import(pkg)) as Record<string, unknown>;
    } catch (e) {
      problems.push({ pkg, message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const p = ns.scenarioPlugin;
    if (p === undefined) continue;
    if (!isPlugin(p)) {
      problems.push({ pkg, message: "scenarioPlugin is not a { name, install } plugin" });
      continue;
    }
    plugins.push(p);
  }
  return { plugins, problems };
}

/** Makes fresh machines: the core and dm plugins, then every discovered package plugin. */
export class MachineFactory {
  readonly plugins: readonly MachinePlugin[];
  readonly problems: readonly PluginProblem[];

  private constructor(plugins: readonly MachinePlugin[], problems: readonly PluginProblem[]) {
    this.plugins = plugins;
    this.problems = problems;
  }

  /** The full composition (core, dm-core, and the packages that export a plugin). */
  static async discover(): Promise<MachineFactory> {
    const d = await discoverPlugins();
    return new MachineFactory([corePlugin, dmPlugin, ...d.plugins], d.problems);
  }

  /** A fixed composition (tests; `extra` plugins after the core and dm ones). */
  static of(extra: readonly MachinePlugin[] = []): MachineFactory {
    return new MachineFactory([corePlugin, dmPlugin, ...extra], []);
  }

  create(): Promise<ScenarioMachine> {
    return composeMachine(this.plugins);
  }
}
