/**
 * Reaching a real multipathd from Node 20.
 *
 * multipathd listens on the abstract name `@/org/kernel/linux/storage/multipathd`, bound with the
 * name's own length. Node 20's libuv (1.46) binds and connects abstract names with the whole
 * 108-byte `sun_path`, the name padded with NULs (libuv 1.48, in Node 22, passes the exact
 * length): to the kernel those are different names, so from Node 20 `net.connect` never reaches a
 * real daemon. Every host that runs multipathd also has multipathd's own client, though
 * (`multipathd -k"CMD"`, uxclnt.c), and it prints exactly what came back: the reply verbatim, or
 * `cannot send packet`, `timeout receiving packet`, `error N receiving packet`, or nothing when it
 * could not connect. {@link MultipathdClientChannel} runs it once per command and reads the
 * outcome back from that; `openMpathChannel` (mpath-channel.ts) uses it only where a socket
 * cannot work.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { delimiter, join } from "node:path";
import { type Clock, NSEC_PER_MSEC } from "@mp/dm-core";
import type { ClientOutcome } from "../cli/client.js";
import { DEFAULT_UXSOCK_TIMEOUT_MS } from "./framing.js";
import type { MpathChannel } from "./mpath-channel.js";

/**
 * Whether this Node binds and connects abstract unix sockets with the padded `sun_path` (libuv
 * before 1.48), so that it cannot meet a C program's abstract socket of the same name.
 */
export function nodePadsAbstractNames(uvVersion: string = process.versions.uv ?? "0.0.0"): boolean {
  const [major = 0, minor = 0] = uvVersion.split(".").map((p) => Number.parseInt(p, 10));
  return major < 1 || (major === 1 && minor < 48);
}

/** The directories searched for `multipathd` after `$PATH` (root's sbin, which a user's PATH may lack). */
const SBIN_DIRS = ["/usr/sbin", "/sbin"];

/** The path of an executable `multipathd` on `$PATH` or in the sbin directories, or null. */
export function findMultipathdClient(path: string = process.env.PATH ?? ""): string | null {
  const dirs = [...path.split(delimiter).filter((d) => d !== ""), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, "multipathd");
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

const RECEIVE_ERROR = /^error (-?\d+) receiving packet\n$/;

/**
 * The outcome the client's output and exit status stand for (`uxclnt()`: exit 1 for `fail\n`
 * and for every failure; a failure prints one of three fixed lines, a failed connect nothing).
 */
export function parseMultipathdClientOutput(stdout: string, exitCode: number): ClientOutcome {
  if (exitCode === 0) return { kind: "reply", text: stdout };
  if (stdout === "") return { kind: "connect-failed" };
  if (stdout === "cannot send packet\n") return { kind: "send-failed" };
  if (stdout === "timeout receiving packet\n") return { kind: "timeout" };
  const m = RECEIVE_ERROR.exec(stdout);
  if (m) return { kind: "receive-error", errno: Math.abs(Number(m[1])) };
  return { kind: "reply", text: stdout };
}

/**
 * multipathd's client binary as a channel: one `multipathd -kCMD` per command. The client waits
 * its own `uxsock_timeout` (from the host's multipath.conf) plus 100 ms; past `timeoutMs` plus a
 * grace of 500 ms it is killed and the outcome is a timeout.
 */
export class MultipathdClientChannel implements MpathChannel {
  readonly via: string;
  readonly #clock: Clock;
  readonly #running = new Set<ChildProcess>();

  constructor(binary: string, clock: Clock) {
    this.via = binary;
    this.#clock = clock;
  }

  process(command: string, timeoutMs: number = DEFAULT_UXSOCK_TIMEOUT_MS): Promise<ClientOutcome> {
    return new Promise((resolve) => {
      let stdout = "";
      let killed = false;
      let settled = false;
      const child = spawn(this.via, [`-k${command}`], { stdio: ["ignore", "pipe", "ignore"] });
      this.#running.add(child);
      const timer = this.#clock.schedule(
        (timeoutMs + 500) * NSEC_PER_MSEC,
        () => {
          killed = true;
          child.kill("SIGKILL");
        },
        undefined,
      );
      const settle = (o: ClientOutcome) => {
        if (settled) return;
        settled = true;
        this.#clock.cancel(timer);
        this.#running.delete(child);
        resolve(o);
      };
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.on("error", () => settle({ kind: "connect-failed" }));
      child.on("close", (code) => {
        if (killed) settle({ kind: "timeout" });
        else if (code === null) settle({ kind: "receive-error", errno: 5 });
        else settle(parseMultipathdClientOutput(stdout, code));
      });
    });
  }

  close(): void {
    for (const child of this.#running) child.kill("SIGKILL");
    this.#running.clear();
  }
}
