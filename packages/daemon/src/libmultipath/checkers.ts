/**
 * libmultipath/checkers.c and prio.c as the daemon core sees them: factories over
 * @mp/checkers' registries (`checker_get` + `checker_init`, `prio_get`) bound to one host and one
 * process's log, and the ALUA probes `detect_alua` uses.
 */
import {
  type CheckerRegistry,
  checkerLookup,
  createChecker,
  createDefaultCheckers,
  createDefaultPrioritizers,
  getAsymmetricAccessState,
  getTargetPortGroup,
  getTargetPortGroupSupport,
  type PrioPath,
  type PrioritizerRegistry,
  prioLookup,
} from "@mp/checkers";
import type { Host, Rng } from "@mp/dm-core";
import type { LogLevel } from "../config/log.js";
import type { Logger } from "./log.js";
import type { AluaProbes, CheckerFactory, PrioritizerFactory } from "./plugins.js";

/** `DEFAULT_CHECKER` and `DEFAULT_PRIO`: what `init_checkers` and `init_prio` load. */
const DEFAULT_CHECKER = "tur";
const DEFAULT_PRIO = "const";

/** `condlog` for the plugins (their level 5 is debug noise: logged at 4). */
function condlog(log: Logger): (prio: number, msg: string) => void {
  return (prio, msg) => log.log(Math.max(0, Math.min(4, prio)) as LogLevel, msg);
}

/** A checker factory over a registry (default: multipath-tools 0.9.4's checkers). */
export function checkerFactory(
  host: Host,
  log: Logger,
  registry: CheckerRegistry = createDefaultCheckers(),
): CheckerFactory {
  const env = { host, log: condlog(log) };
  const loaded = new Set<string>();
  const load = (name: string) => {
    const cls = checkerLookup(registry, name, env.log);
    if (cls === undefined) return undefined;
    if (!loaded.has(cls.name)) {
      loaded.add(cls.name);
      log.log(3, `loading /lib/multipath/libcheck${cls.name}.so checker`);
      if (cls.msgtable.length > 0)
        log.log(3, `checker ${cls.name}: message table size = ${cls.msgtable.length}`);
    }
    return cls;
  };
  return {
    init: () => load(DEFAULT_CHECKER) !== undefined,
    cleanup() {
      for (const name of [...loaded].reverse()) log.log(3, `unloading ${name} checker`);
      loaded.clear();
    },
    create(name, target, options) {
      const cls = load(name);
      if (cls === undefined) return "not-found";
      const c = createChecker(cls, { dev: target.dev, devt: target.devt }, env, {
        timeout: options.timeout,
        mpContext: options.mpContext,
      });
      return c ?? "init-failed";
    },
  };
}

/** A prioritizer factory over a registry (default: multipath-tools 0.9.4's prioritizers). */
export function prioritizerFactory(
  host: Host,
  log: Logger,
  rng: Rng,
  registry: PrioritizerRegistry = createDefaultPrioritizers(),
): PrioritizerFactory {
  const env = { host, log: condlog(log), rng };
  const loaded = new Set<string>();
  const load = (name: string) => {
    const p = prioLookup(registry, name, env.log);
    if (p === undefined) return undefined;
    if (!loaded.has(p.name)) {
      loaded.add(p.name);
      log.log(3, `loading /lib/multipath/libprio${p.name}.so prioritizer`);
    }
    return p;
  };
  return {
    init: () => load(DEFAULT_PRIO) !== undefined,
    cleanup() {
      for (const name of [...loaded].reverse()) log.log(3, `unloading ${name} prioritizer`);
      loaded.clear();
    },
    create(name, args) {
      const p = load(name);
      if (p === undefined) return undefined;
      return {
        name: p.name,
        args,
        getprio: (target, timeoutMs, done) => p.getprio(target as PrioPath, args, timeoutMs, env, done),
      };
    },
  };
}

/** The ALUA probes of alua_rtpg.c over the host. */
export function aluaProbes(host: Host, log: Logger): AluaProbes {
  const l = condlog(log);
  return {
    targetPortGroupSupport: (t, timeoutMs, done) =>
      getTargetPortGroupSupport(host, t as PrioPath, timeoutMs, l, done),
    targetPortGroup: (t, timeoutMs, done) => getTargetPortGroup(host, t as PrioPath, timeoutMs, l, done),
    asymmetricAccessState: (t, tpg, timeoutMs, done) =>
      getAsymmetricAccessState(host, t as PrioPath, tpg, timeoutMs, l, done),
  };
}
