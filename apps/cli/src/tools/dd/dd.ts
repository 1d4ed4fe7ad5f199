import { Bio, BlkStatus, blkStatusToErrno, Errno, ReqFlag, ReqOp, strerror } from "@mp/dm-core";
import type { ProcessIo } from "../../machine/process-io.js";
import { formatG, humanBytes, humanRate, lacksPrefix } from "./human.js";

/**
 * coreutils 9.1 `dd` over the model's block layer: operands and flags as dd parses them (with its
 * exact diagnostics), one bio per block read or written, submitted sequentially and completed on
 * the virtual clock; the transfer statistics on stderr unless `status=none`.
 */

/** A file dd opened. */
export type DdFile =
  | { readonly kind: "zero" }
  | { readonly kind: "null" }
  | { readonly kind: "stdio" }
  | {
      readonly kind: "block";
      readonly dev: DdBlockDevice;
      /** The page cache side of a file opened without O_DIRECT (absent: I/O goes straight down). */
      readonly buffered?: DdBufferedFile;
      /** Direct I/O keeps the page cache coherent: dirty pages first, a write drops cached ones. */
      beforeDirect?(offset: number, bytes: number, write: boolean): Promise<void>;
      /** Releases the open (`close(2)`). */
      close(): void;
    };

/** Buffered I/O on a block device (the kernel's page cache, `BdevFile`). */
export interface DdBufferedFile {
  /** Bytes read into `out` (0 at the end), or a negative errno when nothing could be read. */
  read(pos: number, out: Uint8Array, len: number): Promise<number>;
  /** Bytes written, or a negative errno when nothing could be. */
  write(pos: number, data: Uint8Array): Promise<number>;
  /** `fsync` of bytes `start..end` (inclusive; all by default): 0 or a negative errno. */
  fsync(start?: number, end?: number): Promise<number>;
  /** The last close of the device writes its dirty pages back. */
  close(): Promise<void>;
}

/** An opened block device, as dd uses it. */
export interface DdBlockDevice {
  readonly logicalBlockSize: number;
  sizeSectors(): number;
  /** `bdev_read_only()`. */
  readOnly(): boolean;
  /** Queues a bio; completion through `bio.endIo`, later on the clock. */
  submit(bio: Bio): void;
}

/** What dd needs from the machine. */
export interface DdEnv {
  /** `open(2)`: a device, or a positive errno. */
  open(
    path: string,
    mode: { readonly write: boolean; readonly direct: boolean },
  ): DdFile | { readonly errno: number } | { readonly unsupported: string };
  /** Virtual time in nanoseconds (for the statistics line). */
  now(): number;
  /** Standard input's contents (scenarios run commands with stdin from /dev/null). */
  readonly stdin: string;
}

const CONVERSIONS = [
  "ascii",
  "ebcdic",
  "ibm",
  "block",
  "unblock",
  "lcase",
  "ucase",
  "sparse",
  "swab",
  "sync",
  "excl",
  "nocreat",
  "notrunc",
  "noerror",
  "fdatasync",
  "fsync",
] as const;
type Conversion = (typeof CONVERSIONS)[number];

/** Flags valid on Linux (`cio`, `nolinks`, `binary`, `text` are not). */
const FLAGS = [
  "append",
  "direct",
  "directory",
  "dsync",
  "sync",
  "fullblock",
  "noatime",
  "nocache",
  "noctty",
  "nofollow",
  "nonblock",
  "count_bytes",
  "skip_bytes",
  "seek_bytes",
] as const;
type Flag = (typeof FLAGS)[number];

const STATUSES = ["none", "noxfer", "progress"] as const;
type Status = "default" | (typeof STATUSES)[number];

/** Conversions the model does not implement (they transcode text records). */
const UNMODELLED_CONVERSIONS = new Set<Conversion>(["ascii", "ebcdic", "ibm", "block", "unblock"]);

/** The most bytes dd writes to its stdout in the model (a transcript, not a disk). */
const STDOUT_LIMIT = 64 << 20;

/** The largest block size the model allocates a buffer for. */
const MAX_BLOCKSIZE = 1 << 30;

class DdExit extends Error {
  constructor(readonly rc: number) {
    super(`dd exit ${rc}`);
  }
}

/** `quote()` in the C locale: `'x'`. */
function quote(s: string): string {
  return `'${s.replace(/'/g, "\\'")}'`;
}

/** `quoteaf()`: shell-quoted, always in quotes. */
function quoteaf(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** `quotef()`: shell-quoted when needed. */
function quotef(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : quoteaf(s);
}

type IntResult = { ok: true; n: bigint } | { ok: false; overflow: boolean };

/** gnulib `xstrtoumax` with dd's suffixes; `end` is where parsing stopped. */
function xstrtoumax(
  s: string,
  from: number,
): { e: "ok" | "invalid" | "suffix" | "overflow"; n: bigint; end: number } {
  let i = from;
  while (i < s.length && " \t\n\v\f\r".includes(s[i]!)) i++;
  if (s[i] === "-") return { e: "invalid", n: 0n, end: i };
  if (s[i] === "+") i++;
  const start = i;
  let n = 0n;
  while (i < s.length && s[i]! >= "0" && s[i]! <= "9") {
    n = n * 10n + BigInt(s.charCodeAt(i) - 48);
    i++;
  }
  const valid = "bcEGkKMPTwYZ0";
  if (i === start) {
    if (i < s.length && valid.includes(s[i]!)) n = 1n;
    else return { e: "invalid", n: 0n, end: i };
  }
  let e: "ok" | "suffix" | "overflow" = "ok";
  if (i < s.length) {
    const c = s[i]!;
    if (!valid.includes(c)) return { e: "suffix", n, end: i };
    let base = 1024n;
    let len = 1;
    if ("EGkKMPTYZ".includes(c)) {
      if (s[i + 1] === "i" && s[i + 2] === "B") len = 3;
      else if (s[i + 1] === "B" || s[i + 1] === "D") {
        base = 1000n;
        len = 2;
      }
    }
    const pow: Record<string, number> = { k: 1, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7, Y: 8 };
    let mult: bigint;
    if (c === "b") mult = 512n;
    else if (c === "c") mult = 1n;
    else if (c === "w") mult = 2n;
    else if (c === "0") return { e: "suffix", n, end: i };
    else mult = base ** BigInt(pow[c]!);
    n *= mult;
    i += len;
    if (i < s.length) return { e: "suffix", n, end: i };
  }
  if (n > 2n ** 64n - 1n) e = "overflow";
  return { e, n, end: i };
}

/** dd's `parse_integer`: suffixes, a trailing `B`, and `NxM` products. */
function parseInteger(s: string): IntResult {
  let r = xstrtoumax(s, 0);
  if (r.e === "suffix" && s[r.end - 1] !== "B" && s[r.end] === "B" && r.end + 1 === s.length) {
    r = { e: "ok", n: r.n, end: r.end + 1 };
  }
  if (r.e === "suffix" && s[r.end] === "x") {
    const f = xstrtoumax(s, r.end + 1);
    if (f.e !== "ok" && f.e !== "overflow") return { ok: false, overflow: false };
    const p = r.n * f.n;
    if (p > 2n ** 63n - 1n) return { ok: false, overflow: true };
    return { ok: true, n: p };
  }
  if (r.e === "ok") {
    if (r.n > 2n ** 63n - 1n) return { ok: false, overflow: true };
    return { ok: true, n: r.n };
  }
  return { ok: false, overflow: r.e === "overflow" };
}

/** The parsed command line. */
interface DdArgs {
  input?: string;
  output?: string;
  ibs: number;
  obs: number;
  twoBufs: boolean;
  count: bigint | null;
  countBytes: boolean;
  skip: bigint;
  skipBytes: boolean;
  seek: bigint;
  seekBytes: boolean;
  conv: Set<Conversion>;
  iflags: Set<Flag>;
  oflags: Set<Flag>;
  status: Status;
}

/** One dd process. */
class Dd {
  readonly #io: ProcessIo;
  readonly #env: DdEnv;
  #rFull = 0;
  #rPartial = 0;
  #wFull = 0;
  #wPartial = 0;
  #wBytes = 0;
  #start = 0;
  #status: Status = "default";

  constructor(io: ProcessIo, env: DdEnv) {
    this.#io = io;
    this.#env = env;
  }

  #error(msg: string): void {
    this.#io.stderr(`dd: ${msg}\n`);
  }

  #usageError(msg: string): never {
    this.#error(msg);
    this.#io.stderr("Try 'dd --help' for more information.\n");
    throw new DdExit(1);
  }

  #symbols<T extends string>(value: string, table: readonly T[], exclusive: boolean, what: string): T[] {
    const out: T[] = [];
    for (const word of value.split(",")) {
      if (!(table as readonly string[]).includes(word)) this.#usageError(`${what}: ${quote(word)}`);
      if (exclusive) out.length = 0;
      out.push(word as T);
    }
    return out;
  }

  #scanArgs(argv: readonly string[]): DdArgs {
    const a: DdArgs = {
      ibs: 0,
      obs: 0,
      twoBufs: false,
      count: null,
      countBytes: false,
      skip: 0n,
      skipBytes: false,
      seek: 0n,
      seekBytes: false,
      conv: new Set(),
      iflags: new Set(),
      oflags: new Set(),
      status: "default",
    };
    let bs = 0;
    for (const arg of argv) {
      const eq = arg.indexOf("=");
      if (eq < 0) this.#usageError(`unrecognized operand ${quote(arg)}`);
      const name = arg.slice(0, eq);
      const val = arg.slice(eq + 1);
      switch (name) {
        case "if":
          a.input = val;
          continue;
        case "of":
          a.output = val;
          continue;
        case "conv":
          for (const c of this.#symbols(val, CONVERSIONS, false, "invalid conversion")) a.conv.add(c);
          continue;
        case "iflag":
          for (const f of this.#symbols(val, FLAGS, false, "invalid input flag")) a.iflags.add(f);
          continue;
        case "oflag":
          for (const f of this.#symbols(val, FLAGS, false, "invalid output flag")) a.oflags.add(f);
          continue;
        case "status": {
          const s = this.#symbols(val, STATUSES, true, "invalid status level");
          a.status = s[s.length - 1]!;
          continue;
        }
        default:
          break;
      }
      const known = ["ibs", "obs", "bs", "cbs", "skip", "iseek", "seek", "oseek", "count"];
      if (!known.includes(name)) this.#usageError(`unrecognized operand ${quote(arg)}`);
      const r = parseInteger(val);
      const isSize = name === "ibs" || name === "obs" || name === "bs" || name === "cbs";
      if (!r.ok || (isSize && r.n < 1n)) {
        this.#error(
          `invalid number: ${quote(val)}${r.ok || !r.overflow ? "" : `: ${strerror(Errno.EOVERFLOW)}`}`,
        );
        throw new DdExit(1);
      }
      const n = r.n;
      const hasB = val.includes("B");
      switch (name) {
        case "ibs":
          a.ibs = Number(n);
          break;
        case "obs":
          a.obs = Number(n);
          break;
        case "bs":
          bs = Number(n);
          break;
        case "cbs":
          break;
        case "skip":
        case "iseek":
          a.skip = n;
          a.skipBytes = hasB;
          break;
        case "seek":
        case "oseek":
          a.seek = n;
          a.seekBytes = hasB;
          break;
        case "count":
          a.count = n;
          a.countBytes = hasB;
          break;
      }
    }
    if (bs) a.ibs = a.obs = bs;
    else a.twoBufs = true;
    if (a.ibs === 0) a.ibs = 512;
    if (a.obs === 0) a.obs = 512;
    if (a.oflags.has("fullblock")) this.#usageError(`invalid output flag: ${quote("fullblock")}`);
    if (a.countBytes) a.iflags.add("count_bytes");
    if (a.skipBytes) a.iflags.add("skip_bytes");
    if (a.seekBytes) a.oflags.add("seek_bytes");
    for (const pair of [
      ["ascii", "ebcdic"],
      ["ascii", "ibm"],
      ["ebcdic", "ibm"],
    ] as const) {
      if (a.conv.has(pair[0]) && a.conv.has(pair[1])) {
        this.#error("cannot combine any two of {ascii,ebcdic,ibm}");
        throw new DdExit(1);
      }
    }
    const combos: Array<[Set<string>, string, string, string]> = [
      [a.conv, "block", "unblock", "cannot combine block and unblock"],
      [a.conv, "lcase", "ucase", "cannot combine lcase and ucase"],
      [a.conv, "excl", "nocreat", "cannot combine excl and nocreat"],
      [a.iflags, "direct", "nocache", "cannot combine direct and nocache"],
      [a.oflags, "direct", "nocache", "cannot combine direct and nocache"],
    ];
    for (const [set, x, y, msg] of combos) {
      if (set.has(x) && set.has(y)) {
        this.#error(msg);
        throw new DdExit(1);
      }
    }
    for (const c of a.conv) {
      if (UNMODELLED_CONVERSIONS.has(c)) {
        this.#error(`conv=${c} is not modelled by mp`);
        throw new DdExit(1);
      }
    }
    for (const [size, what] of [
      [a.ibs, "input"],
      [a.obs, "output"],
    ] as const) {
      if (size > MAX_BLOCKSIZE) {
        this.#error(`memory exhausted by ${what} buffer of size ${size} bytes (${humanBytes(size, true)})`);
        throw new DdExit(1);
      }
    }
    return a;
  }

  /** stdin/stdout: pipes, which refuse O_DIRECT. */
  #stdio(name: string, direct: boolean): DdFile {
    if (direct) {
      this.#error(`setting flags for ${quoteaf(name)}: ${strerror(Errno.EINVAL)}`);
      throw new DdExit(1);
    }
    return { kind: "stdio" };
  }

  #open(path: string, write: boolean, direct: boolean): DdFile {
    const r = this.#env.open(path, { write, direct });
    if ("unsupported" in r) {
      this.#error(`mp models block devices, /dev/zero and /dev/null only: ${quoteaf(path)}`);
      throw new DdExit(1);
    }
    if ("errno" in r) {
      this.#error(`failed to open ${quoteaf(path)}: ${strerror(r.errno)}`);
      throw new DdExit(1);
    }
    return r;
  }

  /** One bio to a block device, awaited. Returns 0 or a positive errno. */
  #bio(dev: DdBlockDevice, op: ReqOp, flags: number, byteOffset: number, data: Uint8Array): Promise<number> {
    return new Promise((resolve) => {
      const bio = new Bio();
      bio.op = op;
      bio.flags = flags;
      bio.sector = Math.floor(byteOffset / 512);
      bio.bytes = data.length;
      bio.data = data;
      bio.endIo = (b) => resolve(b.status === BlkStatus.OK ? 0 : blkStatusToErrno(b.status));
      dev.submit(bio);
    });
  }

  #printStats(): void {
    if (this.#status === "none") return;
    this.#io.stderr(
      `${this.#rFull}+${this.#rPartial} records in\n${this.#wFull}+${this.#wPartial} records out\n`,
    );
    if (this.#status === "noxfer") return;
    const bytes = this.#wBytes;
    const si = humanBytes(bytes, false);
    const iec = humanBytes(bytes, true);
    const now = this.#env.now();
    const delta = now - this.#start;
    const secs = delta > 0 ? formatG(delta / 1e9) : "0";
    const rate = delta > 0 ? `${humanRate(bytes, delta)}/s` : "Infinity B/s";
    let line: string;
    if (lacksPrefix(si)) line = `${bytes} ${bytes === 1 ? "byte" : "bytes"} copied, ${secs} s, ${rate}`;
    else if (lacksPrefix(iec)) line = `${bytes} bytes (${si}) copied, ${secs} s, ${rate}`;
    else line = `${bytes} bytes (${si}, ${iec}) copied, ${secs} s, ${rate}`;
    this.#io.stderr(`${line}\n`);
  }

  async main(argv: readonly string[]): Promise<number> {
    let inFile: DdFile | undefined;
    let outFile: DdFile | undefined;
    try {
      if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "--version")) {
        this.#io.stdout(
          argv[0] === "--help"
            ? "Usage: dd [OPERAND]...\n  or:  dd OPTION\nCopy a file, converting and formatting according to the operands.\n(mp models block devices, /dev/zero and /dev/null.)\n"
            : "dd (coreutils) 9.1\n",
        );
        return 0;
      }
      const a = this.#scanArgs(argv);
      this.#status = a.status;
      const input = a.input ?? "standard input";
      const output = a.output ?? "standard output";
      const iDirect = a.iflags.has("direct");
      const oDirect = a.oflags.has("direct");
      if (a.input === undefined) inFile = this.#stdio("standard input", iDirect);
      else inFile = this.#open(a.input, false, iDirect);
      if (a.output === undefined) outFile = this.#stdio("standard output", oDirect);
      else outFile = this.#open(a.output, true, oDirect);
      this.#start = this.#env.now();
      return await this.#copy(a, input, output, inFile, outFile);
    } catch (e) {
      if (e instanceof DdExit) return e.rc;
      throw e;
    } finally {
      if (inFile?.kind === "block") {
        await inFile.buffered?.close();
        inFile.close();
      }
      if (outFile?.kind === "block") {
        await outFile.buffered?.close();
        outFile.close();
      }
    }
  }

  async #copy(a: DdArgs, input: string, output: string, inFile: DdFile, outFile: DdFile): Promise<number> {
    const iDirect = a.iflags.has("direct");
    const oDirect = a.oflags.has("direct");
    const inSize = inFile.kind === "block" ? inFile.dev.sizeSectors() * 512 : Number.POSITIVE_INFINITY;
    const outSize = outFile.kind === "block" ? outFile.dev.sizeSectors() * 512 : Number.POSITIVE_INFINITY;
    const inLbs = inFile.kind === "block" ? inFile.dev.logicalBlockSize : 1;
    const outLbs = outFile.kind === "block" ? outFile.dev.logicalBlockSize : 1;

    // Skip and seek (lseek on a block device fails beyond its end).
    const skipOffset = a.iflags.has("skip_bytes") ? a.skip : a.skip * BigInt(a.ibs);
    const seekOffset = a.oflags.has("seek_bytes") ? a.seek : a.seek * BigInt(a.obs);
    if (Number(skipOffset) > inSize) {
      this.#error(`${quotef(input)}: cannot skip: ${strerror(Errno.EINVAL)}`);
      this.#printStats();
      return 1;
    }
    if (Number(seekOffset) > outSize) {
      this.#error(`${quotef(output)}: cannot seek: ${strerror(Errno.EINVAL)}`);
      this.#printStats();
      return 1;
    }
    let inPos = Number(skipOffset);
    let outPos = Number(seekOffset);

    let maxRecords = Number.POSITIVE_INFINITY;
    let maxBytes = 0;
    if (a.count !== null) {
      if (a.iflags.has("count_bytes")) {
        maxRecords = Number(a.count / BigInt(a.ibs));
        maxBytes = Number(a.count % BigInt(a.ibs));
      } else {
        maxRecords = Number(a.count);
      }
    }
    const warnPartial =
      !a.twoBufs &&
      !a.iflags.has("fullblock") &&
      (a.skip > 0n || (a.count !== null && maxRecords > 0) || iDirect || oDirect);
    let warned = !warnPartial;
    let prevRead = 0;
    let rc = 0;
    const pending: Uint8Array[] = [];
    let pendingLen = 0;
    const deferredWrites: Array<{ offset: number; data: Uint8Array }> = [];
    // The block device's page-cache block size (`set_init_blocksize`).
    let cacheBlock = outLbs;
    while (cacheBlock < 4096 && Number.isFinite(outSize) && (outSize & cacheBlock) === 0) cacheBlock <<= 1;
    const cached = new Set<number>();
    const readFlags = iDirect ? ReqFlag.SYNC : 0;
    const writeFlags = oDirect
      ? ReqFlag.SYNC | ReqFlag.IDLE | (a.oflags.has("dsync") || a.oflags.has("sync") ? ReqFlag.FUA : 0)
      : 0;

    let stdinPos = 0;
    const read = async (size: number): Promise<number | Uint8Array> => {
      if (inFile.kind === "zero") return new Uint8Array(size);
      if (inFile.kind === "stdio") {
        const chunk = this.#env.stdin.slice(stdinPos, stdinPos + size);
        stdinPos += chunk.length;
        return Uint8Array.from(chunk, (c) => c.charCodeAt(0) & 0xff);
      }
      if (inFile.kind === "null") return new Uint8Array(0);
      if (inPos >= inSize) return new Uint8Array(0);
      const n = Math.min(size, inSize - inPos);
      if (!iDirect && inFile.buffered) {
        const buf = new Uint8Array(n);
        const got = await inFile.buffered.read(inPos, buf, n);
        if (got < 0) return -got;
        inPos += got;
        return got === n ? buf : buf.subarray(0, got);
      }
      if (iDirect && ((inPos | size) & (inLbs - 1)) !== 0) return Errno.EINVAL;
      const buf = new Uint8Array(n);
      await inFile.beforeDirect?.(inPos, n, false);
      const err = await this.#bio(inFile.dev, ReqOp.READ, readFlags, inPos, buf);
      if (err) return err;
      inPos += n;
      return buf;
    };

    /** write(2): the bytes written, or an errno. */
    const write = async (
      data: Uint8Array,
      lastPartial: boolean,
    ): Promise<{ n: number } | { errno: number }> => {
      if (outFile.kind === "stdio") {
        this.#io.stdout(Buffer.from(data.buffer, data.byteOffset, data.length).toString("latin1"));
        return { n: data.length };
      }
      if (outFile.kind !== "block") return { n: data.length };
      if (outFile.dev.readOnly()) return { errno: Errno.EPERM };
      if (outPos >= outSize) return { errno: Errno.ENOSPC };
      const n = Math.min(data.length, outSize - outPos);
      const chunk = n === data.length ? data : data.subarray(0, n);
      const aligned = ((outPos | n) & (outLbs - 1)) === 0;
      if (oDirect && (aligned || !lastPartial)) {
        // dd drops O_DIRECT only for a final partial block; an unaligned full block is refused.
        if (!aligned) return { errno: Errno.EINVAL };
        await outFile.beforeDirect?.(outPos, n, true);
        const err = await this.#bio(outFile.dev, ReqOp.WRITE, writeFlags, outPos, chunk);
        if (err) return { errno: err };
      } else if (outFile.buffered) {
        const wrote = await outFile.buffered.write(outPos, chunk);
        if (wrote < 0) return { errno: -wrote };
        // O_SYNC/O_DSYNC: generic_write_sync writes the range back and flushes before write(2)
        // returns; its error is the write's.
        if (a.oflags.has("sync") || a.oflags.has("dsync")) {
          const err = await outFile.buffered.fsync(outPos, outPos + wrote - 1);
          if (err < 0) return { errno: -err };
        }
        outPos += wrote;
        return { n: wrote };
      } else {
        // Buffered: the page cache takes the data (reading the blocks it only partly covers
        // first) and writes it back when the file is closed.
        const end = outPos + n;
        const partial = [outPos - (outPos % cacheBlock), end - (end % cacheBlock)].filter(
          (b, i) => (i === 0 ? outPos % cacheBlock !== 0 : end % cacheBlock !== 0) && b < outSize,
        );
        for (const b of new Set(partial)) {
          if (cached.has(b)) continue;
          const err = await this.#bio(outFile.dev, ReqOp.READ, 0, b, new Uint8Array(cacheBlock));
          if (err) return { errno: err };
          cached.add(b);
        }
        for (let b = outPos - (outPos % cacheBlock); b < end; b += cacheBlock) cached.add(b);
        deferredWrites.push({ offset: outPos, data: chunk.slice() });
      }
      outPos += n;
      return { n };
    };

    const writeBlock = async (data: Uint8Array, lastPartial: boolean): Promise<boolean> => {
      const r = await write(data, lastPartial);
      if ("errno" in r) {
        this.#error(`error writing ${quoteaf(output)}: ${strerror(r.errno)}`);
        return false;
      }
      this.#wBytes += r.n;
      if (r.n === a.obs) this.#wFull++;
      else this.#wPartial++;
      if (r.n < data.length) {
        this.#error(`error writing ${quoteaf(output)}: ${strerror(Errno.ENOSPC)}`);
        return false;
      }
      return true;
    };

    // /dev/zero into a character device: nothing to simulate block by block. Without a count it
    // never ends (the scenario's time limit stops it, as `timeout` does on Linux).
    if (inFile.kind === "zero" && outFile.kind !== "block") {
      if (!Number.isFinite(maxRecords)) await new Promise<never>(() => {});
      const total = maxRecords * a.ibs + maxBytes;
      if (outFile.kind === "stdio") {
        // A pipe nobody drains that fast: more than the model keeps in a transcript blocks forever.
        if (total > STDOUT_LIMIT) await new Promise<never>(() => {});
        this.#io.stdout("\0".repeat(total));
      }
      this.#rFull = maxRecords;
      this.#rPartial = maxBytes ? 1 : 0;
      if (a.twoBufs) {
        this.#wFull = Math.floor(total / a.obs);
        this.#wPartial = total % a.obs ? 1 : 0;
      } else {
        this.#wFull = this.#rFull;
        this.#wPartial = this.#rPartial;
      }
      this.#wBytes = total;
      this.#printStats();
      return 0;
    }

    let failed = false;
    for (;;) {
      const records = this.#rFull + this.#rPartial;
      let size = a.ibs;
      if (records >= maxRecords) {
        if (maxBytes === 0 || records > maxRecords) break;
        size = maxBytes;
        maxBytes = 0;
        maxRecords = Number.NEGATIVE_INFINITY;
      }
      let got: number | Uint8Array = await read(size);
      if (typeof got !== "number" && a.iflags.has("fullblock")) {
        // iflag=fullblock: keep reading until the block is full or the input ends.
        while (typeof got !== "number" && got.length < size && got.length > 0) {
          const more = await read(size - got.length);
          if (typeof more === "number") {
            got = more;
            break;
          }
          if (more.length === 0) break;
          const joined: Uint8Array = new Uint8Array(got.length + more.length);
          joined.set(got);
          joined.set(more, got.length);
          got = joined;
        }
      }
      if (typeof got === "number") {
        // A final EINVAL after a partial direct read is the unaligned end: treat as EOF.
        if (got === Errno.EINVAL && iDirect && prevRead > 0 && prevRead < size) break;
        const noerror = a.conv.has("noerror");
        // conv=noerror with status=none reads past errors silently.
        if (!noerror || this.#status !== "none")
          this.#error(`error reading ${quoteaf(input)}: ${strerror(got)}`);
        if (!noerror) {
          rc = 1;
          failed = true;
          break;
        }
        // conv=noerror: seek past the bad block and go on; the exit status stays 0. Without
        // conv=sync the bad block is no record at all (it does not count towards count=).
        this.#printStats();
        inPos += size;
        if (!a.conv.has("sync")) continue;
        // conv=sync: zeros stand in for it, as a partial record read and a full one written.
        this.#rPartial++;
        if (!(await writeBlock(new Uint8Array(a.ibs), false))) {
          rc = 1;
          failed = true;
          break;
        }
        continue;
      }
      const n = got.length;
      if (n > 0 && !warned && prevRead > 0 && prevRead < size) {
        if (this.#status !== "none") {
          this.#error(
            `warning: partial read (${prevRead} ${prevRead === 1 ? "byte" : "bytes"}); suggest iflag=fullblock`,
          );
        }
        warned = true;
      }
      prevRead = n;
      if (n === 0) break;
      if (n === a.ibs) this.#rFull++;
      else this.#rPartial++;
      let data = got;
      if (a.conv.has("sync") && n < a.ibs) {
        const padded = new Uint8Array(a.ibs);
        padded.set(data);
        data = padded;
      }
      if (a.conv.has("lcase") || a.conv.has("ucase")) {
        data = data.slice();
        for (let i = 0; i < data.length; i++) {
          const c = data[i]!;
          if (a.conv.has("lcase") && c >= 65 && c <= 90) data[i] = c + 32;
          if (a.conv.has("ucase") && c >= 97 && c <= 122) data[i] = c - 32;
        }
      }
      if (a.conv.has("swab")) {
        data = data.slice();
        for (let i = 0; i + 1 < data.length; i += 2) {
          const t = data[i]!;
          data[i] = data[i + 1]!;
          data[i + 1] = t;
        }
      }
      if (!a.twoBufs) {
        if (a.conv.has("sparse") && outFile.kind === "block" && data.every((b) => b === 0)) {
          outPos += data.length;
          if (data.length === a.obs) this.#wFull++;
          else this.#wPartial++;
          continue;
        }
        if (!(await writeBlock(data, data.length < a.obs))) {
          failed = true;
          rc = 1;
          break;
        }
        continue;
      }
      pending.push(data);
      pendingLen += data.length;
      while (pendingLen >= a.obs) {
        const joined: Uint8Array = concat(pending, pendingLen);
        const block = joined.subarray(0, a.obs);
        const rest = joined.slice(a.obs);
        pending.length = 0;
        pendingLen = rest.length;
        if (rest.length > 0) pending.push(rest);
        if (!(await writeBlock(block, false))) {
          failed = true;
          rc = 1;
          break;
        }
      }
      if (failed) break;
    }
    if (!failed && pendingLen > 0) {
      if (!(await writeBlock(concat(pending, pendingLen), true))) rc = 1;
    }
    // Buffered writes reach the device at fsync or when the file is closed (the block device's
    // last close syncs it, and does not report errors to dd).
    if (outFile.kind === "block" && outFile.buffered) {
      if (rc === 0 && (a.conv.has("fsync") || a.conv.has("fdatasync"))) {
        const err = await outFile.buffered.fsync();
        if (err) {
          this.#error(
            `${a.conv.has("fdatasync") ? "fdatasync" : "fsync"} failed for ${quoteaf(output)}: ${strerror(-err)}`,
          );
          rc = 1;
        }
      }
    } else if (outFile.kind === "block") {
      let writeback = 0;
      for (const w of deferredWrites) {
        const err = await this.#bio(outFile.dev, ReqOp.WRITE, 0, w.offset, w.data);
        if (err && !writeback) writeback = err;
      }
      if (rc === 0 && (a.conv.has("fsync") || a.conv.has("fdatasync"))) {
        const err =
          writeback || (await this.#bio(outFile.dev, ReqOp.FLUSH, ReqFlag.PREFLUSH, 0, new Uint8Array(0)));
        if (err) {
          this.#error(
            `${a.conv.has("fdatasync") ? "fdatasync" : "fsync"} failed for ${quoteaf(output)}: ${strerror(err)}`,
          );
          rc = 1;
        }
      }
    }
    // cleanup(): input, then output is closed before the statistics (the last close of a device
    // writes its dirty pages back, and that time counts).
    if (inFile.kind === "block") await inFile.buffered?.close();
    if (outFile.kind === "block") await outFile.buffered?.close();
    this.#printStats();
    return rc;
  }
}

function concat(parts: readonly Uint8Array[], len: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === len) return parts[0]!;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Runs `dd OPERANDS…` (`argv[0]` is the program name). Returns the exit status. */
export function ddMain(argv: readonly string[], io: ProcessIo, env: DdEnv): Promise<number> {
  return new Dd(io, env).main(argv.slice(1));
}
