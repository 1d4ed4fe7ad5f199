import { type CheckerRegistry, createCheckerRegistry } from "./checker.js";
import { createCcissTurChecker } from "./checkers/cciss-tur.js";
import { createDirectioChecker } from "./checkers/directio.js";
import { createEmcClariionChecker } from "./checkers/emc-clariion.js";
import { createHpSwChecker } from "./checkers/hp-sw.js";
import { createNoneChecker } from "./checkers/none.js";
import { createRdacChecker } from "./checkers/rdac.js";
import { createReadsector0Checker } from "./checkers/readsector0.js";
import { createTurChecker } from "./checkers/tur.js";
import { createPrioritizerRegistry, type PrioritizerRegistry } from "./prio.js";
import {
  createAluaPrioritizer,
  createAnaPrioritizer,
  createConstPrioritizer,
  createDatacorePrioritizer,
  createEmcPrioritizer,
  createHdsPrioritizer,
  createHpSwPrioritizer,
  createIetPrioritizer,
  createOntapPrioritizer,
  createPathLatencyPrioritizer,
  createRandomPrioritizer,
  createRdacPrioritizer,
  createSysfsPrioritizer,
  createWeightedPathPrioritizer,
} from "./prioritizers/index.js";

/**
 * The checkers multipath-tools 0.9.4 ships (`/lib/multipath/libcheck*.so` on Debian, plus the
 * built-in `none`). Each call makes new class instances: state shared between paths (directio's
 * AIO groups) lives in the registry a daemon owns.
 */
export function createDefaultCheckers(): CheckerRegistry {
  return createCheckerRegistry([
    createDirectioChecker(),
    createTurChecker(),
    createHpSwChecker(),
    createRdacChecker(),
    createEmcClariionChecker(),
    createReadsector0Checker(),
    createCcissTurChecker(),
    createNoneChecker(),
  ]);
}

/** The prioritizers multipath-tools 0.9.4 ships (`/lib/multipath/libprio*.so` on Debian). */
export function createDefaultPrioritizers(): PrioritizerRegistry {
  return createPrioritizerRegistry([
    createAluaPrioritizer(),
    createConstPrioritizer(),
    createDatacorePrioritizer(),
    createEmcPrioritizer(),
    createHdsPrioritizer(),
    createHpSwPrioritizer(),
    createOntapPrioritizer(),
    createRandomPrioritizer(),
    createRdacPrioritizer(),
    createWeightedPathPrioritizer(),
    createSysfsPrioritizer(),
    createPathLatencyPrioritizer(),
    createAnaPrioritizer(),
    createIetPrioritizer(),
  ]);
}
