import { mkdev, NSEC_PER_MSEC } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import {
  CHECKER_FIRST_MSGID,
  CHECKER_WAIT,
  type CheckerClass,
  checkerLookup,
  createChecker,
  createCheckerRegistry,
  defineChecker,
  immediateContext,
  type MpContext,
} from "./checker.js";
import { createDefaultCheckers } from "./defaults.js";
import { checkerStateName, PathState } from "./path-state.js";
import { FakeHost } from "./testing/fake-host.js";

describe("path states", () => {
  it("keep 0.9.4's numbering and names, with 'invalid' outside the enum", () => {
    expect(Object.values(PathState)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => checkerStateName(i))).toEqual([
      "wild",
      "unchecked",
      "down",
      "up",
      "shaky",
      "ghost",
      "pending",
      "timeout",
      "removed",
      "delayed",
    ]);
    const lines: string[] = [];
    expect(checkerStateName(10, (_p, m) => lines.push(m))).toBe("invalid");
    expect(lines).toEqual(["invalid state index = 10"]);
  });
});

describe("checker plugins", () => {
  const slow: CheckerClass = defineChecker({
    name: "slow_ok",
    msgtable: [" is slow but fine"],
    mpInit: () => ({ checks: 0 }),
    init: (c) => ({
      check(cc) {
        (cc.mpContext!.value as { checks: number }).checks++;
        c.env.host.clock.schedule(
          5 * NSEC_PER_MSEC,
          () => {
            cc.msgid = CHECKER_FIRST_MSGID;
            cc.complete(PathState.UP);
          },
          null,
        );
        return CHECKER_WAIT;
      },
      free() {},
    }),
  });

  it("a custom checker registered by name runs through checker_check, with its map context", async () => {
    const reg = createCheckerRegistry([...createDefaultCheckers().values(), slow]);
    const host = new FakeHost();
    const mp: MpContext = { value: undefined };
    const cls = checkerLookup(reg, "slow_ok")!;
    const c = createChecker(
      cls,
      { dev: "sda", devt: mkdev(8, 0) },
      { host, log: () => {} },
      { mpContext: mp },
    )!;
    expect(mp.value).toEqual({ checks: 0 });
    const p = c.checkAsync(PathState.UP);
    expect(c.waiting).toBe(true);
    expect(() => c.check(PathState.UP, () => {}, null)).toThrow(/still waiting/);
    host.clock.advance(5 * NSEC_PER_MSEC);
    expect(await p).toBe(PathState.UP);
    expect(c.message()).toBe(" is slow but fine");
    expect(mp.value).toEqual({ checks: 1 });
  });

  it("rejects bad plugin definitions and answers UNCHECKED when init fails", () => {
    expect(() => defineChecker({ name: "a name", msgtable: [], init: () => null })).toThrow(
      /invalid checker name/,
    );
    expect(() => defineChecker({ name: "x".repeat(16), msgtable: [], init: () => null })).toThrow();
    const failing = defineChecker({ name: "nope", msgtable: [], init: () => null });
    expect(
      createChecker(failing, { dev: "sda", devt: 0 }, { host: new FakeHost(), log: () => {} }),
    ).toBeNull();
    const sync = defineChecker({
      name: "always_up",
      msgtable: [],
      init: () => immediateContext(() => PathState.UP),
    });
    const c = createChecker(sync, { dev: "sda", devt: 0 }, { host: new FakeHost(), log: () => {} })!;
    expect(c.check(PathState.DOWN, () => {}, null)).toBe(PathState.UP);
  });
});
