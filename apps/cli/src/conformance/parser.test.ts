import { describe, expect, it } from "vitest";
import type { ScnNode } from "./ast.js";
import { checkCommand, parseScenario, parseSecs, parseSize } from "./parser.js";

const nodes = (text: string) => parseScenario(text).nodes;
const last = (text: string): ScnNode => {
  const n = nodes(text);
  return n[n.length - 1]!;
};
const errorOf = (text: string) => {
  const n = last(text);
  return n.kind === "error" ? `${n.line}: ${n.message}` : null;
};

describe("parseScenario: lexical rules", () => {
  it("skips blank lines and comments, trims blanks, drops a trailing CR", () => {
    expect(nodes("\n   \n# c\n  #x\n\t$ dmsetup ls  \r\n")).toEqual([
      { kind: "run", line: 5, command: { raw: "dmsetup ls", words: ["dmsetup", "ls"] } },
    ]);
  });

  it("counts lines like `read` (a last line without newline counts)", () => {
    expect(parseScenario("a\nb").lineCount).toBe(2);
    expect(parseScenario("a\nb\n").lineCount).toBe(2);
    expect(parseScenario("").lineCount).toBe(0);
  });

  it("rejects a line that is not a directive", () => {
    expect(errorOf("dmsetup ls\n")).toBe("1: not a directive: dmsetup ls");
    expect(errorOf("$\n")).toBe("1: not a directive: $");
    expect(errorOf("$\tdmsetup ls\n")).toBe("1: not a directive: $\tdmsetup ls");
    expect(errorOf("==x\n")).toBe("1: not a directive: ==x");
  });

  it("stops at the first error, keeping the directives before it", () => {
    const n = nodes("@echo a\n@bogus\n@echo b\n");
    expect(n.map((x) => x.kind)).toEqual(["echo", "error"]);
    expect(last("@echo a\n@bogus\n@echo b\n")).toEqual({
      kind: "error",
      line: 2,
      message: "unknown directive @bogus",
    });
  });
});

describe("parseScenario: directives", () => {
  it("== keeps the title after one space", () => {
    expect(nodes("== a  b\n==\n==  x\n")).toEqual([
      { kind: "section", line: 1, title: "a  b" },
      { kind: "section", line: 2, title: "" },
      { kind: "section", line: 3, title: " x" },
    ]);
  });

  it("@echo prints the rest verbatim", () => {
    expect(nodes("@echo   a  'b' $x\n@echo\n")).toEqual([
      { kind: "echo", line: 1, text: "a  'b' $x" },
      { kind: "echo", line: 2, text: "" },
    ]);
  });

  it("$ keeps the command text as written and splits it", () => {
    expect(last("$   dd if=/dev/zero  of='/dev/null'\n")).toEqual({
      kind: "run",
      line: 1,
      command: { raw: "dd if=/dev/zero  of='/dev/null'", words: ["dd", "if=/dev/zero", "of=/dev/null"] },
    });
  });

  it("@loop takes loop0..loop7 and a size with K/M/G", () => {
    expect(last("@loop loop3 8M\n")).toEqual({
      kind: "loop",
      line: 1,
      name: "loop3",
      index: 3,
      sizeBytes: 8 << 20,
    });
    expect(errorOf("@loop loop8 8M\n")).toBe("1: @loop: NAME must be loop0..loop7");
    expect(errorOf("@loop loop1 8m\n")).toBe("1: @loop: bad SIZE 8m");
    expect(errorOf("@loop loop1\n")).toBe("1: usage: @loop NAME SIZE");
    expect(errorOf("@loop loop1 1 2\n")).toBe("1: usage: @loop NAME SIZE");
  });

  it("@modprobe takes a module and parameters", () => {
    expect(last("@modprobe scsi_debug add_host=2 'x=a b'\n")).toEqual({
      kind: "modprobe",
      line: 1,
      module: "scsi_debug",
      params: ["add_host=2", "x=a b"],
    });
    expect(errorOf("@modprobe\n")).toBe("1: usage: @modprobe MODULE [PARAM=VALUE...]");
  });

  it("@idle defaults to 30 s and checks SECS", () => {
    expect(last("@idle\n")).toEqual({ kind: "idle", line: 1, secs: { text: "30", ns: 30e9 } });
    expect(last("@idle 2.5\n")).toEqual({ kind: "idle", line: 1, secs: { text: "2.5", ns: 2.5e9 } });
    expect(errorOf("@idle x\n")).toBe("1: usage: @idle [SECS]");
  });

  it("@config takes its lines verbatim until @end, which may be indented", () => {
    const text = "@config\ndefaults {\n\tx 1   \n# kept\n\n}\n  @end  \n";
    expect(nodes(text)).toEqual([
      { kind: "config", line: 7, startLine: 1, text: "defaults {\n\tx 1   \n# kept\n\n}\n" },
    ]);
    expect(errorOf("@config x\n")).toBe("1: @config takes no arguments");
    expect(errorOf("@end\n")).toBe("1: @end without @config");
    expect(errorOf("@config\na\nb\n")).toBe("3: @config without @end");
  });

  it("@write takes a /sys path and a value", () => {
    expect(last("@write /sys/block/sda/device/state offline\n")).toEqual({
      kind: "write",
      line: 1,
      path: "/sys/block/sda/device/state",
      value: "offline",
    });
    expect(errorOf("@write /etc/x y\n")).toBe("1: @write: only paths under /sys/");
    expect(errorOf("@write /sys/../etc/x y\n")).toBe("1: @write: only paths under /sys/");
    expect(errorOf("@write /sys/x\n")).toBe("1: usage: @write PATH VALUE");
  });

  it("@dmesg takes no arguments; @dmesg-clear ignores them", () => {
    expect(errorOf("@dmesg x\n")).toBe("1: @dmesg takes no arguments");
    expect(last("@dmesg-clear x\n")).toEqual({ kind: "dmesg-clear", line: 1 });
  });

  it("@bg takes a name and a command", () => {
    expect(last("@bg r1 dd if=/dev/mapper/x of=/dev/null\n")).toEqual({
      kind: "bg",
      line: 1,
      name: "r1",
      command: { raw: "dd if=/dev/mapper/x of=/dev/null", words: ["dd", "if=/dev/mapper/x", "of=/dev/null"] },
    });
    expect(errorOf("@bg\n")).toBe("1: usage: @bg NAME COMMAND ARGS");
    expect(errorOf("@bg r.1 dd\n")).toBe("1: usage: @bg NAME COMMAND ARGS");
    expect(errorOf("@bg r1\n")).toBe("1: usage: @bg NAME COMMAND ARGS");
    expect(errorOf("@bg r1 ls\n")).toBe("1: command not allowed: ls");
  });

  it("@wait takes the rest as the name; @sleep checks SECS", () => {
    expect(last("@wait r 1\n")).toEqual({ kind: "wait", line: 1, name: "r 1" });
    expect(last("@sleep 0.5\n")).toEqual({ kind: "sleep", line: 1, secs: { text: "0.5", ns: 5e8 } });
    expect(errorOf("@sleep\n")).toBe("1: usage: @sleep SECS");
    expect(errorOf("@sleep .5\n")).toBe("1: usage: @sleep SECS");
  });

  it("@until splits at the first ' ~ ' and keeps the regex verbatim", () => {
    expect(last("@until 10 dmsetup info qb ~ Open count: +1 ~ x\n")).toEqual({
      kind: "until",
      line: 1,
      secs: { text: "10", ns: 10e9 },
      command: { raw: "dmsetup info qb", words: ["dmsetup", "info", "qb"] },
      regex: "Open count: +1 ~ x",
    });
    expect(errorOf("@until x dmsetup ls ~ a\n")).toBe("1: usage: @until SECS COMMAND ARGS ~ REGEX");
    expect(errorOf("@until 10 dmsetup ls\n")).toBe("1: @until: missing ' ~ REGEX'");
    expect(errorOf("@until 10\n")).toBe("1: @until: missing ' ~ REGEX'");
    expect(errorOf("@until 10  ~ x\n")).toBe("1: @until: missing ' ~ REGEX'");
    expect(errorOf("@until 10 \\ ~ x\n")).toBe("1: @until: empty command");
    expect(errorOf("@until 10 ls ~ x\n")).toBe("1: command not allowed: ls");
  });

  it("@mask takes exactly two words", () => {
    expect(last("@mask '^pid [0-9]+ ' 'pid N '\n")).toEqual({
      kind: "mask",
      line: 1,
      regex: "^pid [0-9]+ ",
      replacement: "pid N ",
    });
    expect(errorOf("@mask a\n")).toBe("1: usage: @mask REGEX REPLACEMENT");
    expect(errorOf("@mask a [b]\n")).toBe("1: unquoted shell metacharacter '['");
  });

  it("reports word-splitting errors with the line number", () => {
    expect(errorOf("@echo ok\n$ dmsetup create x --table '0 1\n")).toBe("2: unterminated ' quote");
    expect(errorOf("$ dmsetup ls | cat\n")).toBe("1: unquoted shell metacharacter '|'");
  });
});

describe("checkCommand", () => {
  it("allows the tools and restricted cat and udevadm", () => {
    for (const c of ["dmsetup", "multipath", "multipathd", "dd", "blockdev", "sg_turs"]) {
      expect(checkCommand([c])).toBeNull();
    }
    expect(
      checkCommand(["cat", "/sys/block/sda/dev", "/etc/multipath/wwids", "/etc/multipath.conf"]),
    ).toBeNull();
    expect(checkCommand(["udevadm", "info", "/dev/sda"])).toBeNull();
  });

  it("refuses everything else with the lab's wording", () => {
    expect(checkCommand(["ls"])).toBe("command not allowed: ls");
    expect(checkCommand(["cat"])).toBe("cat needs a path");
    expect(checkCommand(["cat", "/etc/passwd"])).toBe(
      "cat: only paths under /sys/ or /etc/multipath/ (/etc/passwd)",
    );
    expect(checkCommand(["cat", "/sys/../etc/passwd"])).toBe("cat: '..' in /sys/../etc/passwd");
    expect(checkCommand(["udevadm", "trigger"])).toBe("udevadm: only 'udevadm info'");
  });
});

describe("numbers", () => {
  it("parses SECS and sizes", () => {
    expect(parseSecs("2")).toEqual({ text: "2", ns: 2e9 });
    expect(parseSecs("0.25")?.ns).toBe(250_000_000);
    expect(parseSecs("1.0000000019")?.ns).toBe(1_000_000_001);
    expect(parseSecs("-1")).toBeNull();
    expect(parseSize("4K")).toBe(4096);
    expect(parseSize("1G")).toBe(1 << 30);
    expect(parseSize("12")).toBe(12);
    expect(parseSize("1T")).toBeNull();
  });
});
