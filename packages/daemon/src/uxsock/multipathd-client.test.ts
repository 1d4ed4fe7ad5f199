/**
 * Reaching a real multipathd through its own client binary: the outcome read back from what the
 * client prints, the channel over a scripted stand-in for the binary, when `openMpathChannel`
 * falls back to it, and — where multipath-tools and python3 are installed — the real `multipathd`
 * client talking to this package's listener through multipathd's exact-length abstract name.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realTimeClock, VirtualClock } from "@mp/dm-core";
import { afterEach, describe, expect, it } from "vitest";
import { renderClientOutcome } from "../cli/client.js";
import { createDispatcher } from "../cli/dispatch.js";
import { twoPathWorld } from "../print/__fixtures__/scsi-debug.js";
import { testDaemon } from "../print/__fixtures__/test-daemon.js";
import { DEFAULT_SOCKET } from "./framing.js";
import { multipathdRequest, openMpathChannel } from "./mpath-channel.js";
import {
  findMultipathdClient,
  MultipathdClientChannel,
  nodePadsAbstractNames,
  parseMultipathdClientOutput,
} from "./multipathd-client.js";
import { fixedPeerCredentials, UxServer } from "./uxlsnr.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A stand-in `multipathd` that answers as uxclnt() would: the reply and exit 0, `fail` and exit
 * 1, nothing and exit 1 (no daemon), a receive error, or no answer at all. Records its argv.
 */
function fakeClient(noDaemon = false): { binary: string; argvLog: string } {
  const dir = mkdtempSync(join(tmpdir(), "mp-fake-multipathd-"));
  dirs.push(dir);
  const binary = join(dir, "multipathd");
  const argvLog = join(dir, "argv.log");
  writeFileSync(
    binary,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${argvLog}'
${noDaemon ? "exit 1" : ""}
case "$1" in
  "-kshow daemon") printf 'pid 4242 idle\\n'; exit 0 ;;
  "-kshow maps") printf 'name   sysfs uuid\\nmpatha dm-0  3600a0b80001\\n'; exit 0 ;;
  "-kfail path sdz") printf 'fail\\n'; exit 1 ;;
  "-kreset") printf 'error -104 receiving packet\\n'; exit 1 ;;
  "-kslow") printf 'timeout receiving packet\\n'; exit 1 ;;
  "-khang") exec sleep 30 ;;
esac
printf 'ok\\n'
`,
  );
  chmodSync(binary, 0o755);
  return { binary, argvLog };
}

describe("parseMultipathdClientOutput (uxclnt's output and exit status)", () => {
  it("exit 0 is a reply, verbatim", () => {
    expect(parseMultipathdClientOutput("ok\n", 0)).toEqual({ kind: "reply", text: "ok\n" });
    expect(parseMultipathdClientOutput("", 0)).toEqual({ kind: "reply", text: "" });
  });
  it("exit 1 with nothing printed: mpath_connect failed", () => {
    expect(parseMultipathdClientOutput("", 1)).toEqual({ kind: "connect-failed" });
  });
  it("the three failure lines of process_req", () => {
    expect(parseMultipathdClientOutput("cannot send packet\n", 1)).toEqual({ kind: "send-failed" });
    expect(parseMultipathdClientOutput("timeout receiving packet\n", 1)).toEqual({ kind: "timeout" });
    expect(parseMultipathdClientOutput("error -104 receiving packet\n", 1)).toEqual({
      kind: "receive-error",
      errno: 104,
    });
  });
  it("exit 1 with any other text is the daemon's reply (fail)", () => {
    expect(parseMultipathdClientOutput("fail\n", 1)).toEqual({ kind: "reply", text: "fail\n" });
  });
});

describe("nodePadsAbstractNames", () => {
  it("libuv before 1.48 pads abstract names; 1.48 and later do not", () => {
    expect(nodePadsAbstractNames("1.46.0")).toBe(true);
    expect(nodePadsAbstractNames("1.47.9")).toBe(true);
    expect(nodePadsAbstractNames("1.48.0")).toBe(false);
    expect(nodePadsAbstractNames("1.51.0")).toBe(false);
    expect(nodePadsAbstractNames("2.0.0")).toBe(false);
  });
});

describe("findMultipathdClient", () => {
  it("finds an executable multipathd on PATH, first match wins", () => {
    const { binary } = fakeClient();
    const dir = binary.slice(0, -"/multipathd".length);
    expect(findMultipathdClient(`/nonexistent:${dir}`)).toBe(binary);
  });
});

describe("MultipathdClientChannel", () => {
  it("sends each command as -kCMD and maps what the client printed", async () => {
    const { binary } = fakeClient();
    const ch = new MultipathdClientChannel(binary, realTimeClock());
    expect(ch.via).toBe(binary);
    expect(await ch.process("show maps")).toEqual({
      kind: "reply",
      text: "name   sysfs uuid\nmpatha dm-0  3600a0b80001\n",
    });
    expect(await ch.process("fail path sdz")).toEqual({ kind: "reply", text: "fail\n" });
    expect(await ch.process("reset")).toEqual({ kind: "receive-error", errno: 104 });
    expect(await ch.process("slow")).toEqual({ kind: "timeout" });
    ch.close();
  });

  it("kills a client that outlives the timeout and reports a timeout", async () => {
    const { binary } = fakeClient();
    const ch = new MultipathdClientChannel(binary, realTimeClock());
    const t0 = performance.now();
    expect(await ch.process("hang", 100)).toEqual({ kind: "timeout" });
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it("a binary that cannot run is a failed connect", async () => {
    const ch = new MultipathdClientChannel("/nonexistent/multipathd", realTimeClock());
    expect(await ch.process("show daemon")).toEqual({ kind: "connect-failed" });
  });
});

describe("openMpathChannel falls back to multipathd's client only where a socket cannot work", () => {
  // No listener has this test's name, so the socket attempt fails first in every case.
  const clock = realTimeClock();
  const realName = { abstract: DEFAULT_SOCKET };
  it.runIf(process.platform === "linux")(
    "multipathd's own name, a padding Node, a client that reaches a daemon: the client",
    async () => {
      // Only meaningful where nothing answers on the socket: a real daemon on this host would.
      const { binary, argvLog } = fakeClient();
      const ch = await openMpathChannel(realName, { clock, clientBinary: binary, uvVersion: "1.46.0" });
      if (ch?.via === "socket") return ch.close();
      expect(ch?.via).toBe(binary);
      expect(await ch!.process("show maps")).toMatchObject({ kind: "reply" });
      ch!.close();
      const { readFileSync } = await import("node:fs");
      expect(readFileSync(argvLog, "utf8")).toBe("-kshow daemon\n-kshow maps\n");
    },
  );
  it.runIf(process.platform === "linux")("no daemon behind the client: null", async () => {
    const { binary } = fakeClient(true);
    const ch = await openMpathChannel(realName, { clock, clientBinary: binary, uvVersion: "1.46.0" });
    if (ch?.via === "socket") return ch.close();
    expect(ch).toBeNull();
  });
  it("another name, a Node that does not pad, or no client binary: null", async () => {
    const { binary, argvLog } = fakeClient();
    const other = { abstract: `/mp-test/nobody/${process.pid}` };
    expect(await openMpathChannel(other, { clock, clientBinary: binary, uvVersion: "1.46.0" })).toBeNull();
    const unpadded = await openMpathChannel(realName, { clock, clientBinary: binary, uvVersion: "1.48.0" });
    if (unpadded?.via !== "socket") expect(unpadded).toBeNull();
    const none = await openMpathChannel(realName, { clock, clientBinary: null, uvVersion: "1.46.0" });
    if (none?.via !== "socket") expect(none).toBeNull();
    const { existsSync } = await import("node:fs");
    expect(existsSync(argvLog)).toBe(false);
  });
});

/** Whether a command runs here. */
function runs(cmd: string, args: string[]): boolean {
  try {
    return spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

const realClient = findMultipathdClient();
const canRunInterop = process.platform === "linux" && realClient !== null && runs("python3", ["-c", "pass"]);

/** Runs a client binary to its end without blocking this event loop. */
function runClient(binary: string, args: string[]): Promise<{ stdout: string; status: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(binary, args, { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    p.stdout.setEncoding("utf8");
    p.stdout.on("data", (c: string) => {
      stdout += c;
    });
    p.on("close", (status) => resolve({ stdout, status }));
  });
}

/**
 * A relay that binds multipathd's name at its exact length (as the C daemon does) and forwards
 * each connection to `backend` (an abstract name as Node 20 binds it: padded to 108 bytes).
 * Resolves null when the name is taken (a real multipathd runs on this host).
 */
async function startRelay(backend: string): Promise<{ stop(): void } | null> {
  const dir = mkdtempSync(join(tmpdir(), "mp-relay-"));
  dirs.push(dir);
  const relay = join(dir, "relay.py");
  writeFileSync(
    relay,
    `import socket, sys, threading
srv = socket.socket(socket.AF_UNIX)
try:
    srv.bind("\\0" + sys.argv[1])
except OSError:
    print("busy", flush=True); sys.exit(0)
srv.listen(8)
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except OSError: pass
    try: b.shutdown(socket.SHUT_WR)
    except OSError: pass
print("ready", flush=True)
while True:
    c, _ = srv.accept(); u = socket.socket(socket.AF_UNIX)
    u.connect(("\\0" + sys.argv[2]).ljust(108, "\\0"))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
`,
  );
  const p = spawn("python3", [relay, DEFAULT_SOCKET, backend], { stdio: ["ignore", "pipe", "ignore"] });
  const first = await new Promise<string>((resolve) => p.stdout.once("data", (c) => resolve(String(c))));
  if (!first.startsWith("ready")) return null;
  return { stop: () => p.kill("SIGKILL") };
}

describe.runIf(canRunInterop)(
  "the real multipathd client (multipath-tools) against this package's listener",
  () => {
    it("answers every command byte for byte as this package's own client gets it, through the real uxclnt", async (ctx) => {
      const backend = { abstract: `/mp-test/interop/${process.pid}` };
      const d = testDaemon(twoPathWorld());
      const server = new UxServer({
        clock: new VirtualClock(),
        dispatch: createDispatcher({ handlers: d.handlers }),
        peerCredentials: fixedPeerCredentials({ uid: 0, gid: 0, pid: 1 }),
      });
      await server.listen(backend);
      const relay = await startRelay(backend.abstract);
      try {
        // multipathd's name is taken here: a real daemon is running, and it is not ours to test.
        if (relay === null) return ctx.skip();
        const commands = [
          "show maps",
          "show paths",
          "show maps json",
          "show config",
          "fail path sdz",
          "bogus",
        ];
        for (const command of commands) {
          const mine = await multipathdRequest(command, { address: backend, clock: realTimeClock() });
          const expected = renderClientOutcome(mine);
          // Asynchronously: the listener answering it runs on this process's event loop.
          const real = await runClient(realClient!, [`-k${command}`]);
          expect({ command, stdout: real.stdout, status: real.status }).toEqual({
            command,
            stdout: expected.stdout,
            status: expected.exitCode,
          });
        }
        // And this package's fallback channel, through the same real client.
        const ch = await openMpathChannel(
          { abstract: DEFAULT_SOCKET },
          { clock: realTimeClock(), uvVersion: "1.46.0" },
        );
        expect(ch?.via).toBe(realClient);
        expect(await ch!.process("show maps")).toEqual(
          await multipathdRequest("show maps", { address: backend, clock: realTimeClock() }),
        );
        ch!.close();
      } finally {
        relay?.stop();
        await server.close();
      }
    }, 60_000);
  },
);
