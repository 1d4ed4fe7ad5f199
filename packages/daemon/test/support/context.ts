/**
 * Test support: a libmultipath context over a fresh simulated machine (dm modules loaded, no
 * disks), with its log captured.
 */
import { createSimWorld, type SimWorld } from "@mp/fabric";
import { loadConfig } from "../../src/config/config.js";
import { aluaProbes, checkerFactory, prioritizerFactory } from "../../src/libmultipath/checkers.js";
import { createLibmpContext, type LibmpContext } from "../../src/libmultipath/context.js";
import { NO_CPU_COSTS } from "../../src/libmultipath/cpu.js";
import { Logger, type LogRecord } from "../../src/libmultipath/log.js";

export interface TestContext {
  readonly world: SimWorld;
  readonly ctx: LibmpContext;
  readonly logs: LogRecord[];
}

/** A context as the `multipath` tool (or, with `isDaemon`, multipathd) would have. */
export function testContext(
  o: { config?: string; verbosity?: number; isDaemon?: boolean } = {},
): TestContext {
  const world = createSimWorld({ seed: 1 });
  for (const m of ["dm-multipath", "dm-service-time", "dm-round-robin"]) world.modprobe(m);
  if (o.config !== undefined) world.host.files.write("/etc/multipath.conf", o.config);
  const logs: LogRecord[] = [];
  const log = new Logger(world.clock, o.verbosity ?? 4, (r) => logs.push(r));
  const loaded = loadConfig({ files: world.host.files, verbosity: 0 });
  if (!loaded.ok) throw new Error("config did not load");
  const ctx = createLibmpContext({
    host: world.host,
    log,
    config: loaded.config,
    checkers: checkerFactory(world.host, log),
    prioritizers: prioritizerFactory(world.host, log, world.rng.fork("prio")),
    alua: aluaProbes(world.host, log),
    isDaemon: o.isDaemon ?? false,
    cpu: NO_CPU_COSTS,
  });
  return { world, ctx, logs };
}
