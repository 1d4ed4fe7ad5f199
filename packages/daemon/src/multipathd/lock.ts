/**
 * `vecs->lock`: the mutex multipathd's threads take around the path and map lists. In the model
 * the threads are async tasks on one event loop; the lock is FIFO, and taken synchronously when
 * free so that an uncontended command costs no extra turn.
 */
import type { ReleaseLock, StateLock } from "../cli/dispatch.js";

export class AsyncLock implements StateLock {
  #held = false;
  readonly #waiters: ((release: ReleaseLock) => void)[] = [];

  /** True while someone holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** `lock_has_waiters`. */
  get hasWaiters(): boolean {
    return this.#waiters.length > 0;
  }

  acquire(): Promise<ReleaseLock> | ReleaseLock {
    if (!this.#held) {
      this.#held = true;
      return this.#releaser();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #releaser(): ReleaseLock {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiters.shift();
      if (next) next(this.#releaser());
      else this.#held = false;
    };
  }

  /** Runs `fn` under the lock. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const got = this.acquire();
    const release = typeof got === "function" ? got : await got;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
