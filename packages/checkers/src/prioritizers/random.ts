import { definePrioritizer, type Prioritizer } from "../prio.js";

/** The `random` prioritizer: a uniform 1..10 from the world's seeded generator. */
export function createRandomPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "random",
    getprio: (_pp, _args, _t, env, done) => done(1 + Math.floor(10 * env.rng.float())),
  });
}
