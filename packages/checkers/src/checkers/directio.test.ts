import { BlkStatus, mkdev, NSEC_PER_SEC } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { CHECKER_WAIT, type Checker, createChecker } from "../checker.js";
import { PathState } from "../path-state.js";
import { collectLog, FakeHost } from "../testing/fake-host.js";
import { bdevBlockSize, createDirectioChecker } from "./directio.js";

function check(c: Checker) {
  const box: { state: PathState | null } = { state: null };
  const r = c.check(
    PathState.UP,
    (b: typeof box, s) => {
      b.state = s;
    },
    box,
  );
  if (r !== CHECKER_WAIT) box.state = r;
  return box;
}

describe("directio block size", () => {
  it("is the soft block size: doubled from the sector size while it divides the capacity, up to 4096", () => {
    expect(bdevBlockSize(512, 16 << 20)).toBe(4096);
    expect(bdevBlockSize(512, 512 * 3)).toBe(512);
    expect(bdevBlockSize(512, 1024 * 3)).toBe(1024);
    expect(bdevBlockSize(4096, 1 << 30)).toBe(4096);
  });
});

describe("directio checker", () => {
  function setup(init: Parameters<FakeHost["addBlock"]>[1] = {}) {
    const host = new FakeHost();
    const { log, lines } = collectLog();
    host.addBlock("sda", init);
    const cls = createDirectioChecker();
    const c = createChecker(cls, { dev: "sda", devt: mkdev(8, 0) }, { host, log })!;
    return { host, c, cls, lines, log };
  }

  it("fails to initialise when the device cannot be opened", () => {
    const host = new FakeHost();
    expect(
      createChecker(createDirectioChecker(), { dev: "sdz", devt: mkdev(8, 400) }, { host, log: () => {} }),
    ).toBeNull();
  });

  it("synchronously waits for the read: UP when it completes, DOWN when it fails", () => {
    const { host, c } = setup({ latencyNs: 300_000 });
    c.sync = true;
    const b = check(c);
    expect(b.state).toBeNull();
    host.clock.advance(300_000);
    expect(b.state).toBe(PathState.UP);
    expect(c.message()).toBe(" reports path is up");
    const { host: h2, c: c2 } = setup({ status: BlkStatus.IOERR });
    c2.sync = true;
    const b2 = check(c2);
    h2.clock.advance(NSEC_PER_SEC);
    expect(b2.state).toBe(PathState.DOWN);
    expect(c2.message()).toBe(" reports path is down");
  });

  it("asynchronously reports PENDING after 1 µs and collects the completion at the next check", () => {
    const { host, c, lines } = setup({ latencyNs: 200_000 });
    const b = check(c);
    host.clock.advance(1_000);
    expect(b.state).toBe(PathState.PENDING);
    expect(c.message()).toBe(" is waiting on aio");
    expect(lines).toContainEqual([3, "directio: async io pending"]);
    host.clock.advance(NSEC_PER_SEC);
    expect(check(c).state).toBe(PathState.UP);
    expect(host.block("sda")!.reads).toBe(1);
  });

  it("reports DOWN once more checks than the timeout's seconds found the read still running, and keeps it", () => {
    const { host, c, lines } = setup({ hang: true });
    c.timeout = 3;
    const states: Array<PathState | null> = [];
    for (let i = 0; i < 6; i++) {
      const b = check(c);
      host.clock.advance(NSEC_PER_SEC);
      states.push(b.state);
    }
    expect(states).toEqual([
      PathState.PENDING,
      PathState.PENDING,
      PathState.PENDING,
      PathState.DOWN,
      PathState.DOWN,
      PathState.DOWN,
    ]);
    expect(lines).toContainEqual([3, "directio: abort check on timeout"]);
    expect(host.block("sda")!.reads).toBe(1);
  });

  it("shares completions between the checkers of one AIO group", () => {
    const host = new FakeHost();
    host.addBlock("sda", { latencyNs: 100_000 });
    host.addBlock("sdb", { latencyNs: 500_000 });
    const cls = createDirectioChecker();
    const a = createChecker(cls, { dev: "sda", devt: mkdev(8, 0) }, { host, log: () => {} })!;
    const b = createChecker(cls, { dev: "sdb", devt: mkdev(8, 16) }, { host, log: () => {} })!;
    b.sync = true;
    check(a);
    host.clock.advance(1_000);
    // b's synchronous wait reaps a's event too
    const bb = check(b);
    host.clock.advance(NSEC_PER_SEC);
    expect(bb.state).toBe(PathState.UP);
    expect(check(a).state).toBe(PathState.UP);
  });

  it("leaves an orphan when freed with a read in flight; the orphan's device is closed when reaped", () => {
    const host = new FakeHost();
    host.addBlock("sda", { latencyNs: 100_000 });
    host.addBlock("sdb", { latencyNs: 100_000 });
    const cls = createDirectioChecker();
    const a = createChecker(cls, { dev: "sda", devt: mkdev(8, 0) }, { host, log: () => {} })!;
    const b = createChecker(cls, { dev: "sdb", devt: mkdev(8, 16) }, { host, log: () => {} })!;
    check(a);
    host.clock.advance(1_000);
    a.free();
    expect(host.block("sda")!.closes).toBe(0);
    host.clock.advance(NSEC_PER_SEC);
    b.sync = true;
    check(b);
    host.clock.advance(NSEC_PER_SEC);
    expect(host.block("sda")!.closes).toBe(1);
  });
});
