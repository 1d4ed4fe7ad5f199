import { ScenarioSession } from "../conformance/session.js";
import type { ScenarioMachine } from "../machine/machine.js";
import { MachineFactory } from "../machine/plugins.js";

/** Modules a default machine has loaded (those the dm scenarios load). */
export const DEFAULT_MODULES = [
  "dm-multipath",
  "dm-round-robin",
  "dm-queue-length",
  "dm-service-time",
] as const;
/** Loop devices a default machine has attached, and their size. */
export const DEFAULT_LOOPS = 4;
export const DEFAULT_LOOP_BYTES = 8 * 1024 * 1024;

/**
 * A fresh machine ready for one-shot tools (`mp dmsetup …`): the dm modules loaded and
 * loop0–loop3 (8 MiB each) attached, the kernel log marked so only the command's lines show.
 */
export async function defaultMachine(factory?: MachineFactory): Promise<ScenarioMachine> {
  const m = await (factory ?? MachineFactory.of()).create();
  const kernel = m.services.kernel;
  if (!kernel) throw new Error("the machine has no kernel");
  for (const mod of DEFAULT_MODULES) {
    const r = kernel.modules.load(mod);
    if (!r.ok) throw new Error(r.message);
  }
  for (let i = 0; i < DEFAULT_LOOPS; i++) {
    if (m.services.loop?.attach(i, DEFAULT_LOOP_BYTES) !== 0) throw new Error(`cannot attach loop${i}`);
  }
  return m;
}

/** The result of a one-shot tool run. */
export interface OneShotResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Kernel lines the command caused, filtered as `@dmesg` filters them. */
  readonly dmesg: readonly string[];
  readonly rc: number;
}

/** Runs one command line on a default machine, to completion (virtual time, 120 s limit). */
export async function runOneShot(argv: readonly string[], machine?: ScenarioMachine): Promise<OneShotResult> {
  const m = machine ?? (await defaultMachine());
  const session = new ScenarioSession(m);
  session.dmesgClear();
  const r = await session.runCommand(argv);
  await session.step({ kind: "dmesg", line: 0 });
  const dmesg = session
    .takeOutput()
    .split("\n")
    .filter((l) => l.startsWith("dmesg: "))
    .map((l) => l.slice("dmesg: ".length));
  return { stdout: r.stdout, stderr: r.stderr, dmesg, rc: r.rc };
}
