import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog, LogLevel } from "./log.js";

describe("KernelLog capacity", () => {
  it("keeps exactly the newest `capacity` lines, whatever the number logged", () => {
    for (const capacity of [0, 1, 3, 7]) {
      const log = new KernelLog(new VirtualClock(), capacity);
      for (let n = 0; n < 40; n++) {
        log.printk(LogLevel.INFO, `line ${n}`);
        const kept = log.since(0).map((l) => l.seq);
        const first = Math.max(0, n + 1 - capacity);
        expect(kept).toEqual(Array.from({ length: n + 1 - first }, (_, k) => first + k));
        // A cursor inside the buffer reads from there; one before it reads what is left.
        expect(log.since(n).map((l) => l.seq)).toEqual(capacity > 0 ? [n] : []);
        expect(log.since(n + 1)).toEqual([]);
      }
    }
  });
});
