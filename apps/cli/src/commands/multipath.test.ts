import { describe, expect, it } from "vitest";
import {
  DEFAULT_SIM_SOCKET,
  multipathCommand,
  multipathdCommand,
  parseSimToolArgs,
  SimToolUsageError,
  socketAddress,
} from "./multipath.js";

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    out: {
      stdout: (s: string) => {
        stdout += s;
      },
      stderr: (s: string) => {
        stderr += s;
      },
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

describe("mp multipath / mp multipathd options", () => {
  it("takes mp's options off the front and leaves the program's", () => {
    expect(parseSimToolArgs(["--socket", "@x", "--luns=3", "show", "maps"])).toEqual({
      opts: { socket: "@x", config: null, hosts: 2, luns: 3, seed: "1", speed: 1 },
      rest: ["show", "maps"],
    });
    expect(parseSimToolArgs(["-ll"]).rest).toEqual(["-ll"]);
    expect(parseSimToolArgs([]).opts.socket).toBe(DEFAULT_SIM_SOCKET);
    expect(() => parseSimToolArgs(["--hosts", "0"])).toThrow(SimToolUsageError);
    expect(() => parseSimToolArgs(["--socket"])).toThrow("--socket needs a value");
  });

  it("@NAME is an abstract socket, anything else a path", () => {
    expect(socketAddress("@mp/multipathd")).toEqual({ abstract: "mp/multipathd" });
    expect(socketAddress("/run/mp.sock")).toEqual({ path: "/run/mp.sock" });
  });
});

describe("mp multipath", () => {
  it("creates mpatha on a fresh scsi_debug machine", async () => {
    const c = capture();
    expect(await multipathCommand(["-v2"], c.out)).toBe(0);
    expect(c.stdout).toBe(
      "create: mpatha (333333330000007d0) undef Linux,scsi_debug\n" +
        "size=16M features='0' hwhandler='1 alua' wp=undef\n" +
        "|-+- policy='service-time 0' prio=50 status=undef\n" +
        "| `- 0:0:0:0 sda 8:0  undef ready running\n" +
        "`-+- policy='service-time 0' prio=10 status=undef\n" +
        "  `- 1:0:0:0 sdb 8:16 undef ready running\n",
    );
  });

  it("bad mp options exit 2", async () => {
    const c = capture();
    expect(await multipathCommand(["--luns", "x"], c.out)).toBe(2);
    expect(c.stderr).toBe("mp multipath: --luns must be 1…128: x\n");
  });
});

describe("mp multipathd", () => {
  it("serves the socket protocol in real time; the client talks to it; shutdown ends it", async () => {
    const socket = `@mp-test-${process.pid}`;
    const daemon = capture();
    const running = multipathdCommand(["--socket", socket], daemon.out);
    const client = async (...args: string[]) => {
      const c = capture();
      const rc = await multipathdCommand(["--socket", socket, ...args], c.out);
      return { rc, out: c.stdout };
    };
    let maps = { rc: 1, out: "" };
    for (let i = 0; i < 50 && !maps.out.includes("mpatha"); i++) {
      await new Promise((r) => setTimeout(r, 200));
      maps = await client("show", "maps");
    }
    expect(maps).toEqual({ rc: 0, out: "name   sysfs uuid             \nmpatha dm-0  333333330000007d0\n" });
    expect((await client("-kshow daemon")).out).toMatch(/^pid \d+ (idle|running)\n$/);
    expect(await client("shutdown")).toEqual({ rc: 0, out: "ok\n" });
    expect(await running).toBe(0);
    expect(daemon.stderr).toContain(`listening on ${socket}`);
    const after = await client("show", "maps");
    expect(after.rc).toBe(1);
  }, 30_000);
});
