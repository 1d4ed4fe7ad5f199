import { describe, expect, it } from "vitest";
import {
  joinClientCommand,
  parseMultipathdArgs,
  renderClientOutcome,
  runMultipathdClient,
} from "./client.js";

describe("multipathd client arguments", () => {
  it("joins words with a trailing space each, quotes words with spaces, and ends with a newline", () => {
    expect(joinClientCommand(["show", "foo"])).toEqual({ ok: true, command: "show foo \n" });
    expect(joinClientCommand(["show", "paths", "format", "%d %t"])).toEqual({
      ok: true,
      command: 'show paths format "%d %t" \n',
    });
  });

  it("refuses commands of 160 bytes or more, and drops the newline when only one byte is left", () => {
    expect(joinClientCommand(["x".repeat(159)])).toEqual({
      ok: false,
      stderr: "multipathd command too large\n",
    });
    expect(joinClientCommand(["x".repeat(158)])).toEqual({ ok: true, command: `${"x".repeat(158)} ` });
    expect(joinClientCommand(["x".repeat(157)])).toEqual({ ok: true, command: `${"x".repeat(157)} \n` });
    // Bytes, not characters.
    expect(joinClientCommand(["é".repeat(80)])).toEqual({
      ok: false,
      stderr: "multipathd command too large\n",
    });
  });

  it("recognises client, interactive and daemon invocations", () => {
    expect(parseMultipathdArgs(["show", "maps"])).toEqual({
      mode: "client",
      command: "show maps \n",
      verbosity: null,
    });
    expect(parseMultipathdArgs(["-kshow maps"])).toEqual({
      mode: "client",
      command: "show maps",
      verbosity: null,
    });
    expect(parseMultipathdArgs(["-k"])).toEqual({ mode: "interactive", verbosity: null });
    expect(parseMultipathdArgs(["-v3", "show", "maps"])).toEqual({
      mode: "client",
      command: "show maps \n",
      verbosity: 3,
    });
    expect(parseMultipathdArgs(["show", "maps", "-v", "2"])).toEqual({
      mode: "client",
      command: "show maps \n",
      verbosity: 2,
    });
    expect(parseMultipathdArgs(["-d", "-s"])).toMatchObject({ mode: "daemon", foreground: true });
    expect(parseMultipathdArgs([])).toMatchObject({ mode: "daemon", foreground: false });
    expect(parseMultipathdArgs(["--", "-v"])).toEqual({ mode: "client", command: "-v \n", verbosity: null });
  });

  it("rejects unknown options and a bad verbosity", () => {
    expect(parseMultipathdArgs(["-x", "show"])).toEqual({
      mode: "error",
      stderr: "Invalid argument '-x'\n",
      exitCode: 1,
    });
    expect(parseMultipathdArgs(["-v"])).toEqual({
      mode: "error",
      stderr: "Invalid argument '-v'\n",
      exitCode: 1,
    });
    expect(parseMultipathdArgs(["-vx", "show"])).toEqual({ mode: "error", stderr: "", exitCode: 1 });
    expect(parseMultipathdArgs(["show", "map", "m", "group", "-1"])).toEqual({
      mode: "error",
      stderr: "Invalid argument '-1'\n",
      exitCode: 1,
    });
  });
});

describe("client output and exit status", () => {
  it("prints the reply; exits 1 only for exactly 'fail\\n'", () => {
    expect(renderClientOutcome({ kind: "reply", text: "fail\n" })).toEqual({ stdout: "fail\n", exitCode: 1 });
    expect(renderClientOutcome({ kind: "reply", text: "ok\n" })).toEqual({ stdout: "ok\n", exitCode: 0 });
    expect(renderClientOutcome({ kind: "reply", text: "blacklisted\n" })).toEqual({
      stdout: "blacklisted\n",
      exitCode: 0,
    });
    expect(renderClientOutcome({ kind: "reply", text: "permission deny: need to be root\n" }).exitCode).toBe(
      0,
    );
    expect(renderClientOutcome({ kind: "reply", text: "timeout\n" }).exitCode).toBe(0);
    expect(renderClientOutcome({ kind: "reply", text: "fail\n\0junk" })).toEqual({
      stdout: "fail\n",
      exitCode: 1,
    });
  });

  it("reports transport failures like uxclnt", () => {
    expect(renderClientOutcome({ kind: "connect-failed" })).toEqual({ stdout: "", exitCode: 1 });
    expect(renderClientOutcome({ kind: "send-failed" })).toEqual({
      stdout: "cannot send packet\n",
      exitCode: 1,
    });
    expect(renderClientOutcome({ kind: "timeout" })).toEqual({
      stdout: "timeout receiving packet\n",
      exitCode: 1,
    });
    expect(renderClientOutcome({ kind: "receive-error", errno: 5 })).toEqual({
      stdout: "error -5 receiving packet\n",
      exitCode: 1,
    });
  });

  it("runs end to end through a send function", async () => {
    const sent: string[] = [];
    const r = await runMultipathdClient(["show", "daemon"], async (cmd) => {
      sent.push(cmd);
      return { kind: "reply", text: "pid 1 idle\n" };
    });
    expect(sent).toEqual(["show daemon \n"]);
    expect(r).toEqual({ stdout: "pid 1 idle\n", stderr: "", exitCode: 0 });
    expect(await runMultipathdClient(["-d"], async () => ({ kind: "timeout" }))).toBeNull();
  });
});
