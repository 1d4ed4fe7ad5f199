import { parseKernelUint } from "../dm/dm-args.js";
import { InvariantError } from "../errors.js";
import type { PathSelectorEnv } from "./path-selector.js";

/** Exhaustiveness check for `switch` over a union. */
export function assertNever(x: never): never {
  throw new InvariantError(`unexpected value ${String(x)}`);
}

/**
 * The repeat count of a path's table arguments (`args[0]`, 1 when absent) as round-robin,
 * queue-length and service-time take it: a bad number is `<name> ps: invalid repeat count`, and
 * a count above 1 is accepted but set to 1 with the selector's rate-limited deprecation warning.
 */
export function clampedRepeatCount(
  args: readonly string[],
  name: string,
  env: PathSelectorEnv,
  warnKey: string,
): { readonly ok: true; readonly repeatCount: number } | { readonly ok: false; readonly error: string } {
  let repeatCount = 1;
  if (args.length > 0) {
    const v = parseKernelUint(args[0]!);
    if (v === null) return { ok: false, error: `${name} ps: invalid repeat count` };
    repeatCount = v;
  }
  if (repeatCount > 1) {
    env.warnRatelimited(
      warnKey,
      `device-mapper: multipath ${name}: repeat_count > 1 is deprecated, using 1 instead`,
    );
    repeatCount = 1;
  }
  return { ok: true, repeatCount };
}
