import { MpError } from "@mp/dm-core";

/**
 * A timing specification (a distribution, a resource, a profile) is invalid. Raised when a model
 * is built, never per I/O; `problems` lists every fault found, each naming the field.
 */
export class TimingSpecError extends MpError {
  readonly problems: readonly string[];

  constructor(what: string, problems: readonly string[]) {
    super("MP_TIMING_SPEC", `invalid ${what}: ${problems.join("; ")}`);
    this.problems = problems;
  }
}
