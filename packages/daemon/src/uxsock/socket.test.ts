/**
 * The listener and the client library over real unix sockets (abstract names on Linux, and a
 * filesystem path), wired to the CLI dispatcher as the daemon will wire them.
 */
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "@mp/dm-core";
import { afterEach, describe, expect, it } from "vitest";
import { renderClientOutcome } from "../cli/client.js";
import { createDispatcher, dispatchCommand } from "../cli/dispatch.js";
import { twoPathWorld } from "../print/__fixtures__/scsi-debug.js";
import { testDaemon } from "../print/__fixtures__/test-daemon.js";
import { encodeFrame, encodeLength, nativeEndianness } from "./framing.js";
import { multipathdRequest } from "./mpath-channel.js";
import { ClientErrno, MpathConnection } from "./mpath-cmd.js";
import { fixedPeerCredentials, type PeerCredentialsProvider, type UxAddress, UxServer } from "./uxlsnr.js";

const servers: UxServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let seq = 0;
function uniqueAbstract(): { abstract: string } {
  return { abstract: `/mp-test/multipathd/${process.pid}/${++seq}` };
}

async function startServer(opts: { peerCredentials?: PeerCredentialsProvider; calls?: string[] } = {}) {
  const clock = new VirtualClock();
  const d = testDaemon(twoPathWorld(), {
    effects: {
      fail: (c) => {
        opts.calls?.push(`fail ${c.path}`);
        return { ok: true };
      },
    },
  });
  const server = new UxServer({
    clock,
    dispatch: createDispatcher({ handlers: d.handlers }),
    peerCredentials: opts.peerCredentials ?? fixedPeerCredentials({ uid: 0, gid: 0, pid: 1 }),
  });
  servers.push(server);
  const address = process.platform === "linux" ? uniqueAbstract() : tempPath();
  await server.listen(address);
  return { server, clock, address };
}

function tempPath(): UxAddress {
  const dir = mkdtempSync(join(tmpdir(), "mp-uxsock-"));
  dirs.push(dir);
  return { path: join(dir, "multipathd.sock") };
}

/** Raw bytes in, all bytes out until the server closes or `wantBytes` arrived. */
function rawExchange(
  address: UxAddress,
  bytes: Buffer,
  wantBytes: number,
): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect("abstract" in address ? `\0${address.abstract}` : address.path);
    const got: Buffer[] = [];
    let total = 0;
    const done = (closed: boolean) => {
      s.destroy();
      resolve({ data: Buffer.concat(got), closed });
    };
    s.on("data", (c: Buffer) => {
      got.push(c);
      total += c.length;
      if (total >= wantBytes) done(false);
    });
    s.on("close", () => done(true));
    s.on("error", () => done(true));
    s.write(bytes);
  });
}

describe("UxServer over node:net", () => {
  it("answers a command with the exact reply frame", async () => {
    const { address } = await startServer();
    const expected = encodeFrame("name   sysfs uuid             \nmpatha dm-0  333333330000007d0\n");
    const r = await rawExchange(address, encodeFrame("show maps \n"), expected.length);
    expect(r.data).toEqual(expected);
  });

  it("serves the multipathd client end to end", async () => {
    const { clock, address } = await startServer();
    const out = await multipathdRequest("show daemon \n", { clock, address });
    expect(renderClientOutcome(out)).toEqual({ stdout: "pid 240 idle\n", exitCode: 0 });
    const f = await multipathdRequest("show map nosuch json \n", { clock, address });
    expect(renderClientOutcome(f)).toEqual({ stdout: "fail\n", exitCode: 1 });
  });

  it("listens on a filesystem path too", async () => {
    const clock = new VirtualClock();
    const d = testDaemon(twoPathWorld());
    const server = new UxServer({
      clock,
      dispatch: (cmd, client) => dispatchCommand(cmd, { isRoot: client.isRoot, handlers: d.handlers }),
      peerCredentials: fixedPeerCredentials({ uid: 0, gid: 0, pid: 1 }),
    });
    servers.push(server);
    const address = tempPath();
    await server.listen(address);
    const conn = await MpathConnection.open(address, { clock });
    expect(conn).not.toBeNull();
    expect(await conn!.process("show path sda")).toEqual({ kind: "reply", text: "running\n" });
    // Several commands on one connection.
    expect(await conn!.process("quit")).toEqual({ kind: "reply", text: "ok\n" });
    conn!.close();
  });

  it("refuses a modifying command from a non-root peer and never runs its handler", async () => {
    const calls: string[] = [];
    const { clock, address } = await startServer({
      calls,
      peerCredentials: () => ({ uid: 1000, gid: 1000, pid: 4242 }),
    });
    const denied = await multipathdRequest("fail path sda \n", { clock, address });
    expect(renderClientOutcome(denied)).toEqual({
      stdout: "permission deny: need to be root\n",
      exitCode: 0,
    });
    expect(calls).toEqual([]);
    const shown = await multipathdRequest("show paths format %d \n", { clock, address });
    expect(renderClientOutcome(shown).stdout).toBe("dev\nsda\nsdb\n");
  });

  it("treats a peer it cannot identify as non-root (sync, async and throwing providers)", async () => {
    for (const provider of [
      () => null,
      async () => null,
      () => {
        throw new Error("no creds");
      },
    ] as PeerCredentialsProvider[]) {
      const calls: string[] = [];
      const { clock, address } = await startServer({ calls, peerCredentials: provider });
      const r = await multipathdRequest("fail path sda \n", { clock, address });
      expect(r).toEqual({ kind: "reply", text: "permission deny: need to be root\n" });
      expect(calls).toEqual([]);
    }
  });

  it("drops a client sending an oversize length, an empty frame or garbage, and keeps serving others", async () => {
    const { server, clock, address } = await startServer();
    const oversize = await rawExchange(
      address,
      Buffer.concat([encodeLength(600), Buffer.alloc(600, 0x41)]),
      1,
    );
    expect(oversize).toEqual({ data: Buffer.alloc(0), closed: true });
    const zero = await rawExchange(address, encodeLength(0), 1);
    expect(zero.closed).toBe(true);
    const garbage = await rawExchange(
      address,
      Buffer.from("\xff\xfe garbage that is not a frame at all".repeat(5), "latin1"),
      1,
    );
    expect(garbage.closed).toBe(true);
    const out = await multipathdRequest("show daemon \n", { clock, address });
    expect(out).toEqual({ kind: "reply", text: "pid 240 idle\n" });
    await new Promise((r) => setTimeout(r, 20));
    expect(server.clientCount).toBe(0);
  });

  it("survives clients that disconnect mid-frame", async () => {
    const { clock, address } = await startServer();
    await new Promise<void>((resolve) => {
      const s = connect("abstract" in address ? `\0${address.abstract}` : address.path);
      s.write(Buffer.concat([encodeLength(30), Buffer.from("show")]), () => {
        s.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(await multipathdRequest("show status \n", { clock, address })).toEqual({
      kind: "reply",
      text: "path checker states:\nup                  2\n\npaths: 2\nbusy: False\n",
    });
  });
});

describe("MpathConnection", () => {
  it("reports connect failure when nobody listens", async () => {
    const out = await multipathdRequest("show maps", {
      clock: new VirtualClock(),
      address: uniqueAbstract(),
    });
    expect(out).toEqual({ kind: "connect-failed" });
  });

  it("reports EIO when the daemon closes without replying, ERANGE for an absurd reply length, and times out", async () => {
    const modes = ["close", "huge", "silent"] as const;
    for (const mode of modes) {
      const address = uniqueAbstract();
      const srv = createServer((s) => {
        s.once("data", () => {
          if (mode === "close") s.end();
          if (mode === "huge") s.write(encodeLength(2 ** 40));
        });
      });
      await new Promise<void>((r) => srv.listen(`\0${address.abstract}`, () => r()));
      const clock = new VirtualClock();
      const conn = (await MpathConnection.open(address, { clock }))!;
      const pending = conn.process("show maps", 4100);
      if (mode === "silent") {
        await new Promise((r) => setTimeout(r, 20));
        clock.advance(4100 * 1_000_000);
      }
      const out = await pending;
      conn.close();
      await new Promise<void>((r) => srv.close(() => r()));
      if (mode === "close") expect(out).toEqual({ kind: "receive-error", errno: ClientErrno.EIO });
      if (mode === "huge") expect(out).toEqual({ kind: "receive-error", errno: ClientErrno.ERANGE });
      if (mode === "silent") expect(out).toEqual({ kind: "timeout" });
    }
  });

  it("uses the host byte order for the length word", () => {
    const frame = encodeFrame("x");
    const len = nativeEndianness() === "LE" ? frame.readBigUInt64LE(0) : frame.readBigUInt64BE(0);
    expect(len).toBe(2n);
  });
});
