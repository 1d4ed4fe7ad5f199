import { VirtualClock } from "@mp/dm-core";
import type {
  CommandSpec,
  DirectiveHandler,
  MachineBuilder,
  MachinePlugin,
  MachineServices,
  PluggableDirective,
  ScenarioMachine,
} from "./machine.js";

class Machine implements MachineBuilder {
  readonly clock: VirtualClock;
  readonly services: MachineServices = {};
  readonly #commands = new Map<string, CommandSpec>();
  readonly #directives = new Map<PluggableDirective, DirectiveHandler>();
  readonly #plugins: string[] = [];

  constructor(clock: VirtualClock) {
    this.clock = clock;
  }

  get commands(): ReadonlyMap<string, CommandSpec> {
    return this.#commands;
  }

  get directives(): ReadonlyMap<PluggableDirective, DirectiveHandler> {
    return this.#directives;
  }

  get plugins(): readonly string[] {
    return this.#plugins;
  }

  registerCommand(spec: CommandSpec): void {
    this.#commands.set(spec.name, spec);
  }

  registerDirective<K extends PluggableDirective>(
    kind: K,
    make: (previous: DirectiveHandler<K> | undefined) => DirectiveHandler<K>,
  ): void {
    const prev = this.#directives.get(kind) as DirectiveHandler<K> | undefined;
    this.#directives.set(kind, make(prev) as unknown as DirectiveHandler);
  }

  installed(name: string): void {
    this.#plugins.push(name);
  }
}

/**
 * Builds a machine: a fresh virtual clock, then every plugin in order (later plugins see and may
 * extend what earlier ones provided).
 */
export async function composeMachine(plugins: readonly MachinePlugin[]): Promise<ScenarioMachine> {
  const m = new Machine(new VirtualClock());
  for (const p of plugins) {
    await p.install(m);
    m.installed(p.name);
  }
  return m;
}
