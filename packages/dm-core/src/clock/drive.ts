import type { VirtualClock } from "./virtual-clock.js";

/**
 * Lets pending promise continuations run. Control-plane code (the daemon, tools) is async;
 * between two virtual-clock events every continuation that is ready must run first, or
 * virtual time would race ahead of it.
 */
export type Flush = () => Promise<void>;

/** The default {@link Flush}: a macrotask turn, after which every queued microtask has run. */
export const defaultFlush: Flush = () =>
  new Promise<void>((resolve) => {
    const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
    if (g.setImmediate) g.setImmediate(resolve);
    else queueMicrotask(resolve);
  });

/**
 * Advances `clock` by `ns`, letting async continuations run before every timer and at the end,
 * so that async control-plane code sees time move exactly as the kernel model does.
 */
export async function advanceAsync(
  clock: VirtualClock,
  ns: number,
  flush: Flush = defaultFlush,
): Promise<void> {
  const target = clock.now() + Math.max(0, Math.round(ns));
  await flush();
  for (;;) {
    const next = clock.nextTime();
    if (next === undefined || next > target) break;
    clock.runNext();
    await flush();
  }
  clock.runUntil(target);
  await flush();
}

/**
 * Drives `clock` until `promise` settles or `limitNs` of virtual time passed.
 * Returns `{ settled: true, value }` or `{ settled: false }` on the limit.
 */
export async function settle<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  limitNs: number,
  flush: Flush = defaultFlush,
): Promise<{ settled: true; value: T } | { settled: false }> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      error = e;
    },
  );
  const deadline = clock.now() + limitNs;
  await flush();
  while (!done) {
    const next = clock.nextTime();
    if (next === undefined || next > deadline) {
      clock.runUntil(deadline);
      await flush();
      break;
    }
    clock.runNext();
    await flush();
  }
  if (failed) throw error;
  return done ? { settled: true, value: value as T } : { settled: false };
}
