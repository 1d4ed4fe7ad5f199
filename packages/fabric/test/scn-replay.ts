import { Bio, Errno, ReqOp, settle, strerror } from "@mp/dm-core";
import { blockdevMain } from "../src/tools/blockdev.js";
import { sgTursMain } from "../src/tools/sg-turs.js";
import { udevadmMain } from "../src/tools/udevadm.js";
import { createSimWorld, type SimWorld } from "../src/world.js";

/*
 * A replay of the fabric's part of the scenario language (shared/conformance/README.md) over a
 * SimWorld, for the lab transcripts kept under test/conformance: `@modprobe`, `@udev`, `@write`,
 * `@dmesg`, `@mask`, `== `, and `$` with the commands the fabric provides (`cat` of sysfs,
 * `udevadm info`, `blockdev`, `sg_turs`) plus a direct-I/O `dd` reader. The CLI runs the same
 * files through its own runner (`mp conformance packages/fabric/test/conformance`).
 */

/** POSIX-shell word splitting without expansions (the scenario language's words). */
export function words(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === " " || c === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) throw new Error(`unterminated quote: ${s}`);
      cur += s.slice(i + 1, j);
      has = true;
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === "\\" && '"\\$`'.includes(s[j + 1] ?? "")) j++;
        cur += s[j];
      }
      has = true;
      i = j;
    } else if (c === "\\") {
      cur += s[++i] ?? "";
      has = true;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

const DMESG_KEEP = /device-mapper:|I\/O error/;
const DMESG_DROP = /version [0-9.]+ loaded|uevent: version|ioctl: [0-9.]+-ioctl|core: CONFIG_/;

/** Drives the clock until udev has no event left (bounded). */
async function settleUdev(w: SimWorld): Promise<void> {
  const limit = w.clock.now() + 60_000_000_000;
  while (!w.host.udev.settled() && w.clock.now() < limit) {
    const next = w.clock.nextTime();
    if (next === undefined) break;
    w.clock.advance(Math.max(0, next - w.clock.now()));
  }
}

interface Io {
  stdout(t: string): void;
  stderr(t: string): void;
}

function cat(w: SimWorld, argv: readonly string[], io: Io): number {
  let rc = 0;
  for (const p of argv.slice(1)) {
    const t = w.host.sysfs.read(p);
    if (t !== null) {
      io.stdout(t);
      continue;
    }
    io.stderr(`cat: ${p}: ${w.host.sysfs.list(p) ? "Is a directory" : strerror(Errno.ENOENT)}\n`);
    rc = 1;
  }
  return rc;
}

/** `dd if=DEV of=/dev/null bs=4k count=N iflag=direct status=none`: reads, reports errors. */
async function dd(w: SimWorld, argv: readonly string[], io: Io): Promise<number> {
  const opt = new Map(argv.slice(1).map((a) => a.split("=") as [string, string]));
  const dev = opt.get("if")!;
  const h = w.host.openBlock(dev);
  if ("errno" in h) {
    io.stderr(`dd: failed to open '${dev}': ${strerror(h.errno)}\n`);
    return 1;
  }
  const count = Number(opt.get("count") ?? "1");
  try {
    for (let k = 0; k < count; k++) {
      const b = new Bio();
      b.op = ReqOp.READ;
      b.sector = k * 8;
      b.bytes = 4096;
      b.data = new Uint8Array(4096);
      const status = await new Promise<number>((resolve) => {
        b.endIo = (x) => resolve(x.status);
        h.submit(b);
      });
      if (status !== 0) {
        io.stderr(`dd: error reading '${dev}': Input/output error\n`);
        return 1;
      }
    }
    return 0;
  } finally {
    h.close();
  }
}

/** Replays a scenario; returns the transcript and the masks it declares. */
export async function replay(
  scn: string,
  seed = 1,
): Promise<{ transcript: string; masks: [RegExp, string][] }> {
  const w = createSimWorld({ seed });
  const masks: [RegExp, string][] = [];
  let out = "";
  let dmesgCursor = w.kernel.log.cursor();
  for (const raw of scn.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("== ")) {
      out += `\n########## ${line.slice(3)}\n`;
      continue;
    }
    const [dir, ...rest] = words(line);
    switch (dir) {
      case "@mask":
        masks.push([new RegExp(rest[0]!, "g"), rest[1]!]);
        break;
      case "@modprobe": {
        const r = w.modprobe(rest[0]!, ...rest.slice(1));
        if (!r.ok) out += `${r.message}\n[modprobe ${rest[0]} failed: rc=1]\n`;
        w.clock.advance(0);
        if (w.host.udev.running) await settleUdev(w);
        break;
      }
      case "@udev":
        w.host.startUdev();
        await settleUdev(w);
        break;
      case "@write": {
        out += `$ echo ${rest[1]} > ${rest[0]}\n`;
        const errno = w.host.sysfs.write(rest[0]!, `${rest[1]}\n`);
        if (errno !== 0) out += `write error: ${strerror(errno)}\n`;
        w.clock.advance(0);
        out += `[rc=${errno === 0 ? 0 : 1}]\n`;
        break;
      }
      case "@dmesg": {
        const lines = w.kernel.log
          .since(dmesgCursor)
          .map((l) => l.text)
          .filter((t) => DMESG_KEEP.test(t) && !DMESG_DROP.test(t));
        dmesgCursor = w.kernel.log.cursor();
        out += lines.length === 0 ? "(dmesg: nothing new)\n" : lines.map((t) => `dmesg: ${t}\n`).join("");
        break;
      }
      case "$": {
        const text = line.slice(2);
        const argv = words(text);
        let merged = "";
        const io: Io = { stdout: (t) => (merged += t), stderr: (t) => (merged += t) };
        let run: Promise<number>;
        switch (argv[0]) {
          case "cat":
            run = Promise.resolve(cat(w, argv, io));
            break;
          case "udevadm":
            run = Promise.resolve(udevadmMain(argv, w.host, io));
            break;
          case "blockdev":
            run = Promise.resolve(blockdevMain(argv, w.host, io));
            break;
          case "sg_turs":
            run = sgTursMain(
              argv,
              { host: w.host, now: () => w.clock.now(), sleep: (ns) => sleep(w, ns) },
              io,
            );
            break;
          case "dd":
            run = dd(w, argv, io);
            break;
          default:
            throw new Error(`replay: command not modelled here: ${argv[0]}`);
        }
        const r = await settle(w.clock, run, 120_000_000_000);
        if (!r.settled) throw new Error(`replay: ${text} did not finish`);
        if (merged !== "" && !merged.endsWith("\n")) merged += "\n";
        out += `$ ${text}\n${merged}[rc=${r.value}]\n`;
        break;
      }
      default:
        throw new Error(`replay: directive not modelled here: ${dir}`);
    }
  }
  return { transcript: out, masks };
}

function sleep(w: SimWorld, ns: number): Promise<void> {
  return new Promise((resolve) => w.clock.schedule(ns, resolve, undefined));
}

/** Applies masks line by line, as compare-scn does. */
export function mask(text: string, masks: readonly [RegExp, string][]): string {
  return text
    .split("\n")
    .map((l) => masks.reduce((acc, [re, rep]) => acc.replace(re, () => rep), l))
    .join("\n");
}
