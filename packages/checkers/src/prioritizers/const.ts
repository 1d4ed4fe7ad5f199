import { definePrioritizer, type Prioritizer } from "../prio.js";

/** The `const` prioritizer (the default): every path gets 1. */
export function createConstPrioritizer(): Prioritizer {
  return definePrioritizer({ name: "const", getprio: (_pp, _args, _t, _env, done) => done(1) });
}
