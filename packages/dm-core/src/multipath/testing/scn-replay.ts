/**
 * A small replayer of the conformance `.scn` language for the device-mapper scenarios, on a
 * kernel from `createKernel`, used by the multipath integration tests to diff the target
 * against the real kernel's transcripts. It knows just enough `dmsetup` and `dd` for those
 * scenarios; the product's runner (apps/cli) is the real thing. Unknown commands make the
 * scenario "unsupported" rather than failing it.
 */
import { Bio, ReqFlag, ReqOp } from "../../block/bio.js";
import type { BlockDevice } from "../../block/block-device.js";
import { type DevT, devMajor, devMinor, formatDevT } from "../../block/devt.js";
import { BlkStatus, Errno, strerror } from "../../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_SEC } from "../../clock/clock.js";
import { VirtualClock } from "../../clock/virtual-clock.js";
import type { DmInfo } from "../../dm/ioctl.js";
import { createKernel, type Kernel } from "../../kernel/kernel.js";

/** Result of a replay. */
export interface ReplayResult {
  readonly transcript: string;
  /** Commands this replayer does not know (the scenario is then not comparable). */
  readonly unsupported: string[];
}

class Unsupported extends Error {}

/** POSIX-shell-like word splitting without expansion (quotes and backslashes). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, j);
      i = j;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === "\\" && '"\\$`'.includes(s[j + 1] ?? "")) j++;
        cur += s[j];
        j++;
      }
      i = j;
      inWord = true;
    } else if (c === "\\") {
      cur += s[++i] ?? "";
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** A running `dd` (foreground or `@bg`). */
interface DdJob {
  done: boolean;
  output: string;
  rc: number;
}

export class ScnReplayer {
  readonly clock = new VirtualClock();
  readonly k: Kernel;
  #out: string[] = [];
  #dmesgCursor = 0;
  readonly #bg = new Map<string, DdJob>();
  readonly unsupported: string[] = [];

  constructor() {
    this.k = createKernel({
      clock: this.clock,
      config: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false },
    });
  }

  run(scn: string): ReplayResult {
    for (const raw of scn.split("\n")) {
      const line = raw.replace(/\r$/, "").trim();
      if (line === "" || line.startsWith("#")) continue;
      try {
        this.#directive(line);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        this.unsupported.push(line);
        this.#out.push(`[unsupported: ${line}]`);
      }
      // Work the kernel queued (events, kicks) runs before the next command.
      this.clock.runUntil(this.clock.now() + NSEC_PER_MSEC);
    }
    return {
      transcript: this.#out.join("\n") + (this.#out.length ? "\n" : ""),
      unsupported: this.unsupported,
    };
  }

  #directive(line: string): void {
    if (line.startsWith("== ")) {
      this.#out.push("", `########## ${line.slice(3)}`);
      return;
    }
    if (line.startsWith("$ ")) {
      const r = this.#command(shellWords(line.slice(2)));
      this.#out.push(`$ ${line.slice(2)}`);
      if (r.output) this.#out.push(r.output.replace(/\n$/, ""));
      this.#out.push(`[rc=${r.rc}]`);
      return;
    }
    const [name, ...rest] = line.split(/\s+/);
    const args = shellWords(line.slice(name!.length));
    switch (name) {
      case "@modprobe": {
        const params = new Map(args.slice(1).map((a) => a.split("=", 2) as [string, string]));
        const r = this.k.modules.load(args[0]!, params);
        if (!r.ok) this.#out.push(r.message, `[modprobe ${args[0]} failed: rc=1]`);
        return;
      }
      case "@loop": {
        const m = /^(\d+)([KMG]?)$/.exec(args[1]!)!;
        const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as "" | "K" | "M" | "G"];
        this.k.losetup(args[0]!, Number(m[1]) * mult);
        return;
      }
      case "@dmesg-clear":
        this.#dmesgCursor = this.k.log.cursor();
        return;
      case "@dmesg": {
        const lines = this.k.log
          .since(this.#dmesgCursor)
          .map((l) => l.text)
          .filter((t) => /device-mapper:|I\/O error/.test(t))
          .filter(
            (t) => !/version [0-9.]+ loaded|uevent: version|ioctl: [0-9.]+-ioctl|core: CONFIG_/.test(t),
          );
        this.#dmesgCursor = this.k.log.cursor();
        if (lines.length === 0) this.#out.push("(dmesg: nothing new)");
        else for (const l of lines) this.#out.push(`dmesg: ${l}`);
        return;
      }
      case "@sleep":
        this.clock.advance(Number(args[0]) * NSEC_PER_SEC);
        return;
      case "@echo":
        this.#out.push(line.slice(5).replace(/^\s+/, ""));
        return;
      case "@mask":
        return;
      case "@bg": {
        const job = this.#start(args.slice(1));
        this.#bg.set(args[0]!, job);
        this.clock.advance(NSEC_PER_SEC / 2);
        return;
      }
      case "@wait": {
        const job = this.#bg.get(args[0]!);
        if (!job) throw new Unsupported(line);
        for (let i = 0; i < 120 && !job.done; i++) this.clock.advance(NSEC_PER_SEC);
        this.#out.push(`[bg ${args[0]}]`);
        if (job.output) this.#out.push(job.output.replace(/\n$/, ""));
        this.#out.push(`[rc=${job.rc}]`);
        return;
      }
      case "@until": {
        const text = line.slice("@until".length).trim();
        const secs = Number(text.split(/\s+/)[0]);
        const cmdText = text.slice(text.indexOf(" ") + 1);
        const tilde = cmdText.indexOf(" ~ ");
        const cmd = shellWords(cmdText.slice(0, tilde));
        const re = new RegExp(cmdText.slice(tilde + 3));
        for (let i = 0; ; i++) {
          const r = this.#command(cmd);
          if (r.output.split("\n").some((l) => re.test(l))) return;
          if (i >= secs) {
            this.#out.push(`[until timed out: ${cmdText.slice(0, tilde)}]`);
            return;
          }
          this.clock.advance(NSEC_PER_SEC);
        }
      }
      default:
        void rest;
        throw new Unsupported(line);
    }
  }

  #command(argv: string[]): { output: string; rc: number } {
    if (argv[0] === "dmsetup") return this.#dmsetup(argv.slice(1));
    if (argv[0] === "dd") {
      const job = this.#start(argv);
      for (let i = 0; i < 120 && !job.done; i++) this.clock.runUntil(this.clock.now() + NSEC_PER_SEC);
      return { output: job.output, rc: job.rc };
    }
    throw new Unsupported(argv.join(" "));
  }

  // ---- dd -------------------------------------------------------------------------------------

  #start(argv: string[]): DdJob {
    if (argv[0] !== "dd") throw new Unsupported(argv.join(" "));
    const opts = new Map(argv.slice(1).map((a) => a.split("=", 2) as [string, string]));
    const input = opts.get("if")!;
    const output = opts.get("of")!;
    const writing = input === "/dev/zero";
    const path = writing ? output : input;
    const count = Number(opts.get("count") ?? "1");
    const bs = opts.get("bs") === "4k" ? 4096 : Number(opts.get("bs"));
    const job: DdJob = { done: false, output: "", rc: 0 };
    const md = path.startsWith("/dev/mapper/") ? this.k.dm.byName(path.slice(12)) : undefined;
    const dev: BlockDevice | undefined = md ? this.k.block.get(md.devt) : undefined;
    if (!dev) {
      job.done = true;
      job.output = `dd: failed to open '${path}': No such file or directory\n`;
      job.rc = 1;
      return job;
    }
    const devt: DevT = dev.devt;
    this.k.block.open(devt);
    let i = 0;
    const next = (): void => {
      if (i === count) {
        this.k.block.close(devt);
        job.done = true;
        return;
      }
      const bio = new Bio();
      bio.op = writing ? ReqOp.WRITE : ReqOp.READ;
      bio.flags = ReqFlag.SYNC;
      bio.sector = (i * bs) >>> 9;
      bio.bytes = bs;
      bio.data = new Uint8Array(bs);
      bio.endIo = (b) => {
        if (b.status !== BlkStatus.OK) {
          job.output = `dd: error ${writing ? "writing" : "reading"} '${path}': Input/output error\n`;
          job.rc = 1;
          this.k.block.close(devt);
          job.done = true;
          return;
        }
        i++;
        next();
      };
      dev.submit(bio);
    };
    next();
    return job;
  }

  // ---- dmsetup --------------------------------------------------------------------------------

  #dmsetup(argv: string[]): { output: string; rc: number } {
    const cmd = argv[0];
    const dm = this.k.dm;
    const fails = (
      what: string,
      name: string,
      errno: number,
      devno = "",
    ): { output: string; rc: number } => ({
      output: `device-mapper: ${what} ioctl on ${name} ${devno} failed: ${strerror(errno)}\nCommand failed.\n`,
      rc: 1,
    });
    const flag = (f: string): boolean => {
      const i = argv.indexOf(f);
      if (i < 0) return false;
      argv.splice(i, 1);
      return true;
    };
    const option = (f: string): string | undefined => {
      const i = argv.indexOf(f);
      if (i < 0) return undefined;
      const v = argv[i + 1];
      argv.splice(i, 2);
      return v;
    };
    switch (cmd) {
      case "create": {
        const uuid = option("--uuid");
        const table = option("--table")!;
        const name = argv[1]!;
        const c = dm.create(name, uuid ? { uuid } : {});
        if (!c.ok) return fails("create", name, c.errno);
        const devno = `(${devMajor(c.value.devt)}:${devMinor(c.value.devt)})`;
        const l = dm.load(name, parseTable(table));
        if (!l.ok) {
          dm.remove(name);
          return fails("reload", name, l.errno, devno);
        }
        const r = dm.resume(name);
        if (!r.ok) {
          dm.remove(name);
          return fails("resume", name, r.errno, devno);
        }
        return { output: "", rc: 0 };
      }
      case "load":
      case "reload": {
        const table = option("--table")!;
        const name = argv[1]!;
        const l = dm.load(name, parseTable(table));
        if (!l.ok) return fails("reload", name, l.errno);
        return { output: "", rc: 0 };
      }
      case "resume":
      case "suspend": {
        const noflush = flag("--noflush");
        const name = argv[1]!;
        const r = cmd === "resume" ? dm.resume(name) : dm.suspend(name, { noflush });
        if (!r.ok) return fails(cmd, name, r.errno);
        return { output: "", rc: 0 };
      }
      case "remove": {
        const deferred = flag("--deferred");
        const name = argv[1]!;
        const r = dm.remove(name, { deferred });
        if (!r.ok) return fails("remove", name, r.errno);
        return { output: "", rc: 0 };
      }
      case "table":
      case "status": {
        const inactive = flag("--inactive");
        const target = option("--target");
        const kind = cmd === "table" ? "table" : "info";
        const names = argv[1] ? [argv[1]] : dm.list().map((e) => e.name);
        if (!argv[1] && names.length === 0) return { output: "No devices found\n", rc: 0 };
        let out = "";
        for (const name of names) {
          const r = dm.status(name, { kind, inactive });
          if (!r.ok) {
            if (cmd === "status") return { output: "Device does not exist.\nCommand failed.\n", rc: 1 };
            return fails("table", name, r.errno);
          }
          const lines = r.value.lines.filter((l) => !target || l.type === target);
          if (target && lines.length === 0) continue;
          if (lines.length === 0) out += argv[1] ? "\n" : `${name}: \n`;
          for (const l of lines)
            out += `${argv[1] ? "" : `${name}: `}${l.start} ${l.length} ${l.type}${l.params ? ` ${l.params}` : ""}\n`;
        }
        return { output: out, rc: 0 };
      }
      case "message": {
        if (argv.slice(1).some((a) => /^-./.test(a)))
          return {
            output: `dmsetup: invalid option -- '${argv.find((a) => /^-./.test(a))!.slice(1, 2)}'\nCouldn't process command line.\n`,
            rc: 1,
          };
        const name = argv[1]!;
        const sector = argv[2];
        if (sector === undefined || !/^\d+$/.test(sector))
          return { output: "Invalid sector.\nCommand failed.\n", rc: 1 };
        const msg = argv.slice(3).join(" ");
        const pre = msg ? "" : "No message supplied.\n";
        const r = dm.message(name, Number(sector), msg);
        if (!r.ok) {
          const f = fails("message", name, r.errno);
          return { output: pre + f.output, rc: 1 };
        }
        return { output: "", rc: 0 };
      }
      case "ls": {
        const entries = dm.list();
        if (entries.length === 0) return { output: "No devices found\n", rc: 0 };
        if (argv.length > 1) throw new Unsupported(`dmsetup ${argv.join(" ")}`);
        return { output: entries.map((e) => `${e.name}\t(${formatDevT(e.devt)})\n`).join(""), rc: 0 };
      }
      case "info": {
        const columns = flag("-c");
        if (argv.length !== 2) throw new Unsupported(`dmsetup info ${argv.join(" ")}`);
        const r = dm.info(argv[1]!);
        if (!r.ok) return { output: "Device does not exist.\nCommand failed.\n", rc: 1 };
        return { output: columns ? infoColumns(r.value) : infoLong(r.value), rc: 0 };
      }
      case "deps": {
        if (argv.length !== 2) throw new Unsupported(`dmsetup deps ${argv.join(" ")}`);
        const r = dm.deps(argv[1]!);
        if (!r.ok) return fails("deps", argv[1]!, r.errno);
        const list = r.value.deps.map((d) => ` (${devMajor(d)}, ${devMinor(d)})`).join("");
        return { output: `${r.value.deps.length} dependencies\t:${list}\n`, rc: 0 };
      }
      default:
        throw new Unsupported(`dmsetup ${argv.join(" ")}`);
    }
  }
}

function parseTable(table: string): Array<{ start: number; length: number; type: string; params: string }> {
  return table
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(l)!;
      return { start: Number(m[1]), length: Number(m[2]), type: m[3]!, params: m[4]! };
    });
}

function infoLong(i: DmInfo): string {
  let state = i.suspended ? "SUSPENDED" : "ACTIVE";
  if (i.deferredRemove) state += " (DEFERRED REMOVE)";
  const tables =
    i.liveTable && i.inactiveTable
      ? "LIVE & INACTIVE"
      : i.liveTable
        ? "LIVE"
        : i.inactiveTable
          ? "INACTIVE"
          : "None";
  let out = `Name:              ${i.name}\nState:             ${state}\nRead Ahead:        256\nTables present:    ${tables}\n`;
  out += `Open count:        ${i.openCount}\nEvent number:      ${i.eventNr}\nMajor, minor:      ${devMajor(i.devt)}, ${devMinor(i.devt)}\nNumber of targets: ${i.targetCount}\n`;
  if (i.uuid) out += `UUID: ${i.uuid}\n`;
  return `${out}\n`;
}

function infoColumns(i: DmInfo): string {
  const attr = `${i.liveTable ? "L" : "-"}${i.inactiveTable ? "I" : "-"}${i.suspended ? "s" : "-"}${i.readOnly ? "r" : "w"}`;
  const head = "Name             Maj Min Stat Open Targ Event  UUID                            \n";
  const row = `${i.name.padEnd(16)} ${String(devMajor(i.devt)).padStart(3)} ${String(devMinor(i.devt)).padStart(3)} ${attr} ${String(i.openCount).padStart(4)} ${String(i.targetCount).padStart(4)} ${String(i.eventNr).padStart(6)} ${i.uuid.padEnd(32)}\n`;
  return head + row;
}

/** `Errno` re-exported for tests that build expected lines. */
export { Errno };
