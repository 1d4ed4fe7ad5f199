import { InvariantError } from "../errors.js";

/** Exhaustiveness check for `switch` over a union. */
export function assertNever(x: never): never {
  throw new InvariantError(`unexpected value ${String(x)}`);
}
