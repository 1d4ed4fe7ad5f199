/**
 * The listener's per-client protocol over a fake transport and a virtual clock: framing of
 * replies, pipelining, invalid lengths, timeouts, and robustness against garbage.
 */
import { Buffer } from "node:buffer";
import { NSEC_PER_MSEC, VirtualClock } from "@mp/dm-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame, encodeLength } from "./framing.js";
import { type UxClientInfo, UxClientSession, type UxDispatch } from "./uxlsnr.js";

const ROOT: UxClientInfo = { id: 1, credentials: { uid: 0, gid: 0, pid: 42 }, isRoot: true };

function harness(dispatch: UxDispatch, timeoutMs = 4000) {
  const clock = new VirtualClock();
  const written: Buffer[] = [];
  let destroyed = false;
  const session = new UxClientSession(
    { dispatch, clock, uxsockTimeoutMs: timeoutMs, endianness: "LE" },
    {
      write: (b) => written.push(Buffer.from(b)),
      destroy: () => {
        destroyed = true;
      },
    },
    ROOT,
  );
  return {
    clock,
    session,
    written,
    out: () => Buffer.concat(written),
    destroyed: () => destroyed,
  };
}

const echo: UxDispatch = async (cmd) => `got[${cmd}]\n`;
const tick = () => new Promise((r) => setImmediate(r));

describe("UxClientSession", () => {
  it("replies with a length word counting the NUL, the text and a NUL", async () => {
    const h = harness(echo);
    h.session.receive(encodeFrame("show maps", "LE"));
    await tick();
    expect([...h.out()]).toEqual([...encodeFrame("got[show maps]\n", "LE")]);
    expect(h.out().readBigUInt64LE(0)).toBe(16n);
  });

  it("serves several commands on one connection, in order, even when they arrive together", async () => {
    const h = harness(echo);
    h.session.receive(Buffer.concat([encodeFrame("a", "LE"), encodeFrame("b", "LE")]));
    await tick();
    await tick();
    expect(h.out()).toEqual(Buffer.concat([encodeFrame("got[a]\n", "LE"), encodeFrame("got[b]\n", "LE")]));
  });

  it("reassembles a command delivered one byte at a time", async () => {
    const h = harness(echo);
    for (const b of encodeFrame("show paths", "LE")) h.session.receive(Buffer.from([b]));
    await tick();
    expect(h.out()).toEqual(encodeFrame("got[show paths]\n", "LE"));
  });

  it("reads the command as a C string: a missing NUL is fine, bytes after a NUL are ignored", async () => {
    const h = harness(echo);
    h.session.receive(Buffer.concat([encodeLength(4, "LE"), Buffer.from("abcd")]));
    await tick();
    h.session.receive(Buffer.concat([encodeLength(6, "LE"), Buffer.from("ab\0cd\0")]));
    await tick();
    expect(h.out()).toEqual(
      Buffer.concat([encodeFrame("got[abcd]\n", "LE"), encodeFrame("got[ab]\n", "LE")]),
    );
  });

  it("drops the connection without a reply for a zero or oversize length", async () => {
    for (const len of [0, 513, 2 ** 40]) {
      const h = harness(echo);
      h.session.receive(encodeLength(len, "LE"));
      await tick();
      expect(h.written).toEqual([]);
      expect(h.destroyed()).toBe(true);
      expect(h.session.closed).toBe(true);
    }
    const ok = harness(echo);
    ok.session.receive(Buffer.concat([encodeLength(512, "LE"), Buffer.alloc(512, 0x61)]));
    await tick();
    expect(ok.destroyed()).toBe(false);
    expect(ok.out().readBigUInt64LE(0)).toBe(BigInt(512 + 7));
  });

  it("answers 'timeout' when the command does not arrive within uxsock_timeout, then starts over", async () => {
    const h = harness(echo);
    h.session.receive(Buffer.concat([encodeLength(10, "LE"), Buffer.from("sho")]));
    h.clock.advance(3999 * NSEC_PER_MSEC);
    expect(h.written).toEqual([]);
    h.clock.advance(1 * NSEC_PER_MSEC);
    expect(h.out()).toEqual(encodeFrame("timeout\n", "LE"));
    // The rest of the old command is read as a new length word.
    h.session.receive(Buffer.from("w maps\0"));
    h.session.receive(Buffer.from([0]));
    await tick();
    expect(h.destroyed()).toBe(true);
  });

  it("answers 'timeout' when the handler takes too long, and drops its late reply", async () => {
    let resolve: (s: string) => void = () => {};
    const seen: boolean[] = [];
    const h = harness(
      (_cmd, _client, signal) =>
        new Promise<string>((r) => {
          resolve = (s) => {
            seen.push(signal.aborted);
            r(s);
          };
        }),
      1000,
    );
    h.session.receive(encodeFrame("reconfigure", "LE"));
    await tick();
    h.clock.advance(1000 * NSEC_PER_MSEC);
    expect(h.out()).toEqual(encodeFrame("timeout\n", "LE"));
    resolve("ok\n");
    await tick();
    expect(seen).toEqual([true]);
    expect(h.out()).toEqual(encodeFrame("timeout\n", "LE"));
  });

  it("no timer runs between commands", async () => {
    const h = harness(echo);
    h.session.receive(encodeFrame("x", "LE"));
    await tick();
    expect(h.clock.pending()).toBe(0);
    h.clock.advance(60_000 * NSEC_PER_MSEC);
    expect(h.out()).toEqual(encodeFrame("got[x]\n", "LE"));
  });

  it("a dispatcher that throws or rejects gives 'fail'", async () => {
    const h = harness(() => {
      throw new Error("bug");
    });
    h.session.receive(encodeFrame("x", "LE"));
    await tick();
    expect(h.out()).toEqual(encodeFrame("fail\n", "LE"));
    const r = harness(() => Promise.reject(new Error("bug")));
    r.session.receive(encodeFrame("x", "LE"));
    await tick();
    expect(r.out()).toEqual(encodeFrame("fail\n", "LE"));
  });

  it("closing mid-command cancels the timer and ignores further bytes", async () => {
    const h = harness(echo);
    h.session.receive(encodeLength(20, "LE"));
    expect(h.clock.pending()).toBe(1);
    h.session.close();
    expect(h.clock.pending()).toBe(0);
    h.session.receive(Buffer.from("more"));
    await tick();
    expect(h.written).toEqual([]);
  });

  it("survives arbitrary garbage", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), async (chunks) => {
        const h = harness(echo);
        for (const c of chunks) h.session.receive(c);
        h.clock.advance(5000 * NSEC_PER_MSEC);
        await tick();
        // Every reply the session wrote is a well-formed frame.
        let at = 0;
        const out = h.out();
        while (at < out.length) {
          const len = Number(out.readBigUInt64LE(at));
          expect(out[at + 8 + len - 1]).toBe(0);
          at += 8 + len;
        }
        expect(at).toBe(out.length);
      }),
      { numRuns: 300 },
    );
  });
});
