import type { SysfsView } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { runScenario } from "../conformance/runner.js";
import type { MachinePlugin } from "./machine.js";
import { MachineFactory } from "./plugins.js";

/** A sysfs with a readable, an unreadable (EINVAL) and a write-only attribute under one directory. */
function sysfsPlugin(withReadResult: boolean): MachinePlugin {
  const attrs = new Map<string, string | { errno: number }>([
    ["/sys/d/state", "running\n"],
    ["/sys/d/access_state", { errno: 22 }],
    ["/sys/d/rescan", { errno: 13 }],
  ]);
  const sysfs: SysfsView = {
    read: (p) => {
      const a = attrs.get(p);
      return typeof a === "string" ? a : null;
    },
    write: () => 0,
    list: (d) => (d === "/sys/d" ? [...attrs.keys()].map((k) => k.slice(7)).sort() : null),
    readlink: () => null,
  };
  if (withReadResult) {
    sysfs.readResult = (p) => attrs.get(p) ?? (p === "/sys/d" ? { errno: 21 } : { errno: 2 });
  }
  return {
    name: "sysfs",
    install(m) {
      m.services.sysfs = sysfs;
    },
  };
}

async function transcript(text: string, withReadResult = true): Promise<string> {
  const machine = await MachineFactory.of([sysfsPlugin(withReadResult)]).create();
  return (await runScenario(text, machine)).transcript;
}

describe("cat", () => {
  it("prints read(2)'s errno as cat does: an attribute's own error, EACCES, EISDIR, ENOENT", async () => {
    expect(await transcript("$ cat /sys/d/access_state /sys/d/rescan /sys/d /sys/d/nosuch\n")).toBe(
      "$ cat /sys/d/access_state /sys/d/rescan /sys/d /sys/d/nosuch\n" +
        "cat: /sys/d/access_state: Invalid argument\n" +
        "cat: /sys/d/rescan: Permission denied\n" +
        "cat: /sys/d: Is a directory\n" +
        "cat: /sys/d/nosuch: No such file or directory\n" +
        "[rc=1]\n",
    );
  });

  it("writes unbuffered: contents and errors reach the pipe in the order of the arguments", async () => {
    expect(await transcript("$ cat /sys/d/nosuch /sys/d/state /sys/d/nosuch\n")).toBe(
      "$ cat /sys/d/nosuch /sys/d/state /sys/d/nosuch\n" +
        "cat: /sys/d/nosuch: No such file or directory\nrunning\ncat: /sys/d/nosuch: No such file or directory\n[rc=1]\n",
    );
  });

  it("falls back to absent-or-directory when the sysfs view cannot report errnos", async () => {
    expect(await transcript("$ cat /sys/d/state /sys/d /sys/d/access_state\n", false)).toBe(
      "$ cat /sys/d/state /sys/d /sys/d/access_state\nrunning\ncat: /sys/d: Is a directory\n" +
        "cat: /sys/d/access_state: No such file or directory\n[rc=1]\n",
    );
  });
});
