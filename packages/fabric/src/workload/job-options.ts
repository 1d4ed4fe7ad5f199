import { FIO_DEFAULT_PERCENTILES } from "./latency-histogram.js";
import { RANDOM_MAP_MAX_BLOCKS } from "./random-map.js";
import {
  type Parsed,
  parseBool,
  parseInteger,
  parseSize,
  parseSizeOrPercent,
  parseTime,
  type SizeOrPercent,
  splitDirections,
} from "./units.js";

/** fio's `rw` values (trim modes are not modelled). */
export type RwMode = "read" | "write" | "randread" | "randwrite" | "rw" | "readwrite" | "randrw";
/** Verify checksums this engine implements. */
export type VerifyKind = "md5" | "crc32c";
/** fio's `continue_on_error` values. */
export type ContinueOnError = "none" | "read" | "write" | "io" | "verify" | "all";

/** A value as fio's job files and command line give it, or the obvious JS value. */
type Val = string | number | boolean;

/**
 * One job, with fio's option names and value syntax (`bs: "4k"`, `size: "1g"`,
 * `runtime: "30s"`, `bssplit: "4k/50:64k/50"`); numbers are bytes, seconds (times) or counts.
 * Every option is optional except `name`; defaults are fio's.
 */
export interface JobOptions {
  /** Job name (`[name]` in a job file, `--name`). */
  readonly name: string;
  /** Target device by name (`sdb`, `/dev/dm-0`); default: the runner's device. */
  readonly filename?: string;
  /** I/O pattern. Default `read`. */
  readonly rw?: RwMode;
  /** Percent of reads in a mixed workload. Default 50. */
  readonly rwmixread?: Val;
  /** Percent of writes in a mixed workload (the complement of `rwmixread`). */
  readonly rwmixwrite?: Val;
  /** Block size, or `read,write` sizes. Default 4k. */
  readonly bs?: Val;
  /** Weighted block sizes, `size/percent:size/percent[,write split]`. */
  readonly bssplit?: Val;
  /** Offset alignment of random I/O. Default: the smallest block size. */
  readonly blockalign?: Val;
  /** I/O in flight per job. Default 1. */
  readonly iodepth?: Val;
  /** Clones of this job, running at once. Default 1. */
  readonly numjobs?: Val;
  /** Size of the region the job works on (bytes or `%` of the device). Default: the device. */
  readonly size?: Val;
  /** Bytes to transfer (may exceed `size`: the job wraps). Default: `size`. */
  readonly io_size?: Val;
  /** Start of the region (bytes or `%`). Default 0. */
  readonly offset?: Val;
  /** Added to `offset` per clone (`numjobs`). Default 0. */
  readonly offset_increment?: Val;
  /** Repeat the job this many times. Default 1. */
  readonly loops?: Val;
  /** Stop after this long (seconds, or with a unit). */
  readonly runtime?: Val;
  /** Run for `runtime` even when `size` is done (wrapping around). */
  readonly time_based?: Val;
  /** Run this long before measuring. */
  readonly ramp_time?: Val;
  /** Cap of I/Os per second, or `read,write` caps. */
  readonly rate_iops?: Val;
  /** Write a verifiable pattern and check it on reads: `md5`, `crc32c`, or `0`/`null` for none. */
  readonly verify?: Val;
  /** Bytes covered by one verify header. Default: the smallest block size. */
  readonly verify_interval?: Val;
  /** Read back and verify what a write job wrote, after it. Default 1. */
  readonly do_verify?: Val;
  /** Stop the job at the first verify failure even when `continue_on_error` allows verify errors. */
  readonly verify_fatal?: Val;
  /** Random I/O may hit the same block twice in a pass (no random map). */
  readonly norandommap?: Val;
  /** Accepted for compatibility: runs always repeat (everything is seeded). */
  readonly randrepeat?: Val;
  /** Seed of the job's random streams; default: derived from the world's seed. */
  readonly randseed?: Val;
  /** Accepted: I/O is always direct (there is no page cache in the model). */
  readonly direct?: Val;
  /** Accepted and ignored: the engine submits bios directly. */
  readonly ioengine?: Val;
  /** Which errors the job survives. Default `none`. */
  readonly continue_on_error?: Val;
  /** Report the jobs of a group as one. */
  readonly group_reporting?: Val;
  /** Wait for the jobs before this one to finish; starts a new reporting group. */
  readonly stonewall?: Val;
  /** Start a new reporting group (without waiting). */
  readonly new_group?: Val;
  /** Percentiles to report, `1:5:50:99:99.9`. */
  readonly percentile_list?: Val | readonly number[];
  /** Unit base of size suffixes: 1024 (default) or 1000. */
  readonly kb_base?: Val;
  /** mp extension: carry data buffers even without verify (devices then store/return data). */
  readonly mp_buffers?: Val;
}

/** Names of every option {@link JobOptions} takes (besides `name`). */
export const JOB_OPTION_NAMES: readonly string[] = [
  "filename",
  "rw",
  "rwmixread",
  "rwmixwrite",
  "bs",
  "bssplit",
  "blockalign",
  "iodepth",
  "numjobs",
  "size",
  "io_size",
  "offset",
  "offset_increment",
  "loops",
  "runtime",
  "time_based",
  "ramp_time",
  "rate_iops",
  "verify",
  "verify_interval",
  "do_verify",
  "verify_fatal",
  "norandommap",
  "randrepeat",
  "randseed",
  "direct",
  "ioengine",
  "continue_on_error",
  "group_reporting",
  "stonewall",
  "new_group",
  "percentile_list",
  "kb_base",
  "mp_buffers",
];

/** fio's alternative spellings of option names. */
export const JOB_OPTION_ALIASES: Readonly<Record<string, string>> = {
  readwrite: "rw",
  blocksize: "bs",
  ba: "blockalign",
  io_limit: "io_size",
  timeout: "runtime",
  fileoffset: "offset",
};

/** fio options accepted and ignored in job files and command lines (they change nothing here). */
export const IGNORED_OPTIONS: readonly string[] = [
  "thread",
  "invalidate",
  "exitall",
  "end_fsync",
  "fsync_on_close",
  "disable_slat",
  "disable_clat",
  "disable_lat",
  "clat_percentiles",
  "lat_percentiles",
  "unified_rw_reporting",
  "gtod_reduce",
  "cpus_allowed",
  "allow_mounted_write",
];

/** A problem with a job's options. `line` is set for job files. */
export interface JobDiagnostic {
  readonly severity: "error" | "warning";
  readonly job: string;
  readonly option?: string;
  readonly line?: number;
  readonly message: string;
}

/** One entry of a block-size split. */
export interface BsSplitEntry {
  readonly bs: number;
  /** Percent share (fio draws 1..100 against the running sum). */
  readonly percent: number;
}

/** A job with every option parsed, checked and defaulted; one per clone (`numjobs`). */
export interface ResolvedJob {
  readonly name: string;
  /** Index of the job in the input list. */
  readonly jobIndex: number;
  /** Clone number, 0..numjobs−1. */
  readonly clone: number;
  /** Reporting group. */
  readonly groupId: number;
  /** Runs after every job before it finished (`stonewall`). */
  readonly stonewall: boolean;
  readonly groupReporting: boolean;
  readonly filename: string | undefined;
  /** `rw`, with `readwrite` spelled `rw`. */
  readonly rw: Exclude<RwMode, "readwrite">;
  readonly random: boolean;
  /** Percent of reads: 100 for read modes, 0 for write modes. */
  readonly readPct: number;
  /** Block-size split per direction ([read, write]); one entry of 100% for a plain `bs`. */
  readonly bssplit: readonly [readonly BsSplitEntry[], readonly BsSplitEntry[]];
  readonly minBs: number;
  readonly maxBs: number;
  readonly blockAlign: number;
  readonly iodepth: number;
  readonly numjobs: number;
  /** Region start (bytes, absolute on the device). */
  readonly offset: number;
  /** Region length (bytes, a multiple of `blockAlign`). */
  readonly size: number;
  /** Bytes to transfer; Infinity when time-based. */
  readonly ioSize: number;
  /** Stop issuing after this long (after ramp); Infinity = no limit. */
  readonly runtimeNs: number;
  readonly timeBased: boolean;
  readonly rampNs: number;
  /** IOPS caps [read, write]; 0 = none. */
  readonly rateIops: readonly [number, number];
  readonly verify: VerifyKind | null;
  readonly verifyInterval: number;
  readonly doVerify: boolean;
  readonly verifyFatal: boolean;
  readonly randomMap: boolean;
  readonly randseed: number | null;
  /** Error classes the job survives. */
  readonly continueOn: { readonly read: boolean; readonly write: boolean; readonly verify: boolean };
  readonly percentiles: readonly number[];
  /** Carry data buffers (verify or mp_buffers). */
  readonly buffers: boolean;
  /** The options as given, for reports ("job options"). */
  readonly given: Readonly<Record<string, string>>;
}

/** What the resolver needs to know about a target device. */
export interface DeviceInfo {
  readonly name: string;
  readonly bytes: number;
  readonly logicalBlockSize: number;
}

/** Result of {@link resolveJobs}. */
export type ResolveResult =
  | {
      readonly ok: true;
      readonly jobs: readonly ResolvedJob[];
      readonly diagnostics: readonly JobDiagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly JobDiagnostic[] };

const RW_VALUES: readonly RwMode[] = ["read", "write", "randread", "randwrite", "rw", "readwrite", "randrw"];
const COE_VALUES: readonly ContinueOnError[] = ["none", "read", "write", "io", "verify", "all"];

function str(v: Val | readonly number[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "boolean") return v ? "1" : "0";
  if (Array.isArray(v)) return v.join(":");
  return String(v);
}

/**
 * Parses a bssplit spec for one direction: `4k/50:64k/30:1m/` (entries without a percent share
 * what is left of 100 equally).
 */
export function parseBsSplit(text: string, kbBase: 1000 | 1024): Parsed<BsSplitEntry[]> {
  const out: { bs: number; percent: number | null }[] = [];
  for (const part of text.split(":")) {
    if (part.trim() === "") continue;
    const [sizeText, pctText] = part.split("/");
    const size = parseSize(sizeText ?? "", kbBase);
    if (!size.ok) return size;
    if (size.value <= 0) return { ok: false, message: `block size must be > 0 in "${part}"` };
    let percent: number | null = null;
    if (pctText !== undefined && pctText.trim() !== "") {
      const p = Number(pctText.trim());
      if (!Number.isFinite(p) || p < 0 || p > 100)
        return { ok: false, message: `invalid percentage "${pctText}" in "${part}"` };
      percent = p;
    }
    out.push({ bs: size.value, percent });
  }
  if (out.length === 0) return { ok: false, message: `empty bssplit "${text}"` };
  const given = out.reduce((s, e) => s + (e.percent ?? 0), 0);
  const blanks = out.filter((e) => e.percent === null).length;
  const share = blanks > 0 ? Math.max(0, 100 - given) / blanks : 0;
  return { ok: true, value: out.map((e) => ({ bs: e.bs, percent: e.percent ?? share })) };
}

/**
 * Parses, checks and defaults `jobs` against their target devices, expanding `numjobs` into
 * clones and assigning groups (`stonewall`/`new_group` start a new one). Never throws:
 * problems come back as diagnostics, errors make `ok` false.
 */
export function resolveJobs(
  jobs: readonly JobOptions[],
  deviceFor: (filename: string | undefined) => DeviceInfo | undefined,
): ResolveResult {
  const diags: JobDiagnostic[] = [];
  const out: ResolvedJob[] = [];
  let groupId = -1;
  jobs.forEach((opts, jobIndex) => {
    const name = typeof opts.name === "string" && opts.name !== "" ? opts.name : `job${jobIndex}`;
    const err = (option: string | undefined, message: string) =>
      diags.push({ severity: "error", job: name, ...(option ? { option } : {}), message });
    const warn = (option: string | undefined, message: string) =>
      diags.push({ severity: "warning", job: name, ...(option ? { option } : {}), message });
    const before = diags.filter((d) => d.severity === "error").length;
    const given: Record<string, string> = { name };
    for (const k of JOB_OPTION_NAMES) {
      const v = str((opts as unknown as Record<string, Val | undefined>)[k]);
      if (v !== undefined) given[k] = v;
    }
    for (const k of Object.keys(opts))
      if (k !== "name" && !JOB_OPTION_NAMES.includes(k)) err(k, `unknown option "${k}"`);

    const get = <T>(option: string, parse: (s: string) => Parsed<T>, dflt: T): T => {
      const raw = given[option];
      if (raw === undefined) return dflt;
      const r = parse(raw);
      if (r.ok) return r.value;
      err(option, `failed parsing ${option}=${raw}: ${r.message}`);
      return dflt;
    };

    const kbRaw = get("kb_base", parseInteger, 1024);
    if (kbRaw !== 1024 && kbRaw !== 1000)
      err("kb_base", `failed parsing kb_base=${kbRaw}: must be 1000 or 1024`);
    const kb: 1000 | 1024 = kbRaw === 1000 ? 1000 : 1024;

    let rw: RwMode = "read";
    if (given.rw !== undefined) {
      const v = given.rw.trim() as RwMode;
      if (RW_VALUES.includes(v)) rw = v;
      else err("rw", `failed parsing rw=${given.rw}: valid values are ${RW_VALUES.join(", ")}`);
    }
    const mode = rw === "readwrite" ? "rw" : rw;
    const random = mode === "randread" || mode === "randwrite" || mode === "randrw";
    const mixed = mode === "rw" || mode === "randrw";
    let readPct =
      mode === "read" || mode === "randread" ? 100 : mode === "write" || mode === "randwrite" ? 0 : 50;
    if (given.rwmixread !== undefined || given.rwmixwrite !== undefined) {
      const r = given.rwmixread !== undefined ? get("rwmixread", parseInteger, 50) : undefined;
      const w = given.rwmixwrite !== undefined ? get("rwmixwrite", parseInteger, 50) : undefined;
      if ((r ?? 0) > 100) err("rwmixread", `rwmixread=${r} is more than 100`);
      if ((w ?? 0) > 100) err("rwmixwrite", `rwmixwrite=${w} is more than 100`);
      if (r !== undefined && w !== undefined && r + w !== 100)
        warn("rwmixread", `rwmixread=${r} and rwmixwrite=${w} do not add up to 100; using rwmixread`);
      if (mixed) readPct = Math.min(100, r ?? 100 - (w ?? 50));
      else
        warn(
          given.rwmixread !== undefined ? "rwmixread" : "rwmixwrite",
          `ignored: rw=${rw} is not a mixed workload`,
        );
    }

    // Block sizes.
    const split: [BsSplitEntry[], BsSplitEntry[]] = [
      [{ bs: 4096, percent: 100 }],
      [{ bs: 4096, percent: 100 }],
    ];
    if (given.bs !== undefined) {
      const d = splitDirections(given.bs);
      const one = (t: string | undefined, dir: 0 | 1) => {
        if (t === undefined) return;
        const r = parseSize(t, kb);
        if (!r.ok) err("bs", `failed parsing bs=${given.bs}: ${r.message}`);
        else if (r.value <= 0) err("bs", `failed parsing bs=${given.bs}: block size must be > 0`);
        else split[dir] = [{ bs: r.value, percent: 100 }];
      };
      one(d.read, 0);
      if (d.write !== d.read) one(d.write, 1);
      else split[1] = split[0];
    }
    if (given.bssplit !== undefined) {
      if (given.bs !== undefined) warn("bssplit", "bssplit overrides bs");
      const d = splitDirections(given.bssplit);
      const one = (t: string | undefined, dir: 0 | 1) => {
        if (t === undefined) return;
        const r = parseBsSplit(t, kb);
        if (!r.ok) {
          err("bssplit", `failed parsing bssplit=${given.bssplit}: ${r.message}`);
          return;
        }
        const sum = r.value.reduce((s, e) => s + e.percent, 0);
        if (Math.abs(sum - 100) > 1e-9)
          warn(
            "bssplit",
            sum < 100
              ? `bssplit percentages add up to ${sum}; the remaining ${100 - sum}% goes to the last entry, as in fio`
              : `bssplit percentages add up to ${sum}; entries past 100% are drawn less often than stated, as in fio`,
          );
        split[dir] = r.value;
      };
      one(d.read, 0);
      if (d.write !== d.read) one(d.write, 1);
      else split[1] = split[0];
    }
    const usedDirs: (0 | 1)[] = readPct === 100 ? [0] : readPct === 0 ? [1] : [0, 1];
    const sizes = usedDirs.flatMap((d) => split[d].filter((e) => e.percent > 0).map((e) => e.bs));
    if (sizes.length === 0) {
      err("bssplit", "no block size has a share above 0%");
      sizes.push(4096);
    }
    const minBs = Math.min(...sizes);
    const maxBs = Math.max(...sizes);
    const blockAlign = get("blockalign", (s) => parseSize(s, kb), minBs);
    if (blockAlign <= 0) err("blockalign", "blockalign must be > 0");

    const dev = deviceFor(given.filename);
    if (!dev) err("filename", given.filename ? `no such device: ${given.filename}` : "no target device");
    const lbs = dev?.logicalBlockSize ?? 512;
    for (const bs of sizes)
      if (bs % lbs !== 0)
        err(
          given.bssplit !== undefined ? "bssplit" : "bs",
          `block size ${bs} is not a multiple of the device's logical block size ${lbs} (direct I/O)`,
        );
    if (given.blockalign !== undefined && blockAlign > 0 && blockAlign % lbs !== 0)
      err("blockalign", `blockalign ${blockAlign} is not a multiple of the logical block size ${lbs}`);

    const iodepth = get("iodepth", parseInteger, 1);
    if (iodepth < 1 || iodepth > 65536) err("iodepth", `iodepth=${iodepth} must be in [1, 65536]`);
    const numjobs = get("numjobs", parseInteger, 1);
    if (numjobs < 1 || numjobs > 4096) err("numjobs", `numjobs=${numjobs} must be in [1, 4096]`);
    const loops = get("loops", parseInteger, 1);
    if (loops < 1) err("loops", "loops must be >= 1");

    const devBytes = dev?.bytes ?? 0;
    const pct = (v: SizeOrPercent, total: number) =>
      "bytes" in v ? v.bytes : Math.floor((total * v.percent) / 100);
    const offset0 = pct(
      get("offset", (s) => parseSizeOrPercent(s, kb), { bytes: 0 } as SizeOrPercent),
      devBytes,
    );
    const offsetIncrement = pct(
      get("offset_increment", (s) => parseSizeOrPercent(s, kb), { bytes: 0 } as SizeOrPercent),
      devBytes,
    );
    const sizeGiven = given.size !== undefined;
    const sizeVal = get("size", (s) => parseSizeOrPercent(s, kb), { percent: 100 } as SizeOrPercent);
    const timeBased = get("time_based", parseBool, false);
    const runtimeNs = get("runtime", (s) => parseTime(s), 0);
    const rampNs = get("ramp_time", (s) => parseTime(s), 0);
    if (timeBased && runtimeNs === 0) err("time_based", "time_based needs a runtime");

    const rate =
      given.rate_iops !== undefined
        ? splitDirections(given.rate_iops)
        : { read: undefined, write: undefined };
    const rateOf = (t: string | undefined): number => {
      if (t === undefined) return 0;
      const r = parseInteger(t);
      if (!r.ok) {
        err("rate_iops", `failed parsing rate_iops=${given.rate_iops}: ${r.message}`);
        return 0;
      }
      return r.value;
    };
    const rateIops: [number, number] = [rateOf(rate.read), rateOf(rate.write)];

    let verify: VerifyKind | null = null;
    if (given.verify !== undefined) {
      const v = given.verify.trim();
      if (v === "md5" || v === "crc32c") verify = v;
      else if (v === "crc32c-intel") verify = "crc32c";
      else if (v !== "0" && v !== "null" && v !== "" && v !== "none")
        err("verify", `failed parsing verify=${v}: supported values are md5, crc32c, crc32c-intel, null, 0`);
    }
    const verifyInterval = get("verify_interval", (s) => parseSize(s, kb), minBs);
    if (verify) {
      if (verifyInterval < 512 || verifyInterval % lbs !== 0)
        err(
          "verify_interval",
          `verify_interval=${verifyInterval} must be a multiple of ${lbs} and at least 512`,
        );
      for (const bs of sizes)
        if (verifyInterval > 0 && bs % verifyInterval !== 0)
          err("verify_interval", `block size ${bs} is not a multiple of verify_interval ${verifyInterval}`);
      if (blockAlign % verifyInterval !== 0)
        err(
          "verify_interval",
          `blockalign ${blockAlign} is not a multiple of verify_interval ${verifyInterval}`,
        );
    }
    const doVerify = get("do_verify", parseBool, true);
    const verifyFatal = get("verify_fatal", parseBool, false);
    const norandommap = get("norandommap", parseBool, false);
    get("randrepeat", parseBool, true);
    const randseed = given.randseed !== undefined ? get("randseed", parseInteger, 0) : null;
    const direct = get("direct", parseBool, true);
    if (!direct) warn("direct", "buffered I/O is not modelled: the job runs as direct=1");
    if (
      given.ioengine !== undefined &&
      !["libaio", "io_uring", "psync", "sync", "pvsync", "pvsync2", "null", "posixaio"].includes(
        given.ioengine,
      )
    )
      warn("ioengine", `ioengine=${given.ioengine} is not known; the engine submits bios directly`);

    let coe: ContinueOnError = "none";
    if (given.continue_on_error !== undefined) {
      const v = given.continue_on_error.trim();
      if (v === "0") coe = "none";
      else if (v === "1") coe = "all";
      else if (COE_VALUES.includes(v as ContinueOnError)) coe = v as ContinueOnError;
      else
        err(
          "continue_on_error",
          `failed parsing continue_on_error=${v}: valid values are ${COE_VALUES.join(", ")}, 0, 1`,
        );
    }
    const continueOn = {
      read: coe === "read" || coe === "io" || coe === "all",
      write: coe === "write" || coe === "io" || coe === "all",
      verify: coe === "verify" || coe === "all",
    };

    let percentiles: readonly number[] = FIO_DEFAULT_PERCENTILES;
    if (given.percentile_list !== undefined) {
      const ps = given.percentile_list
        .split(":")
        .filter((s) => s.trim() !== "")
        .map(Number);
      if (ps.length === 0 || ps.some((p) => !Number.isFinite(p) || p < 0 || p > 100))
        err(
          "percentile_list",
          `failed parsing percentile_list=${given.percentile_list}: values must be in [0, 100]`,
        );
      else percentiles = ps;
    }
    const groupReporting = get("group_reporting", parseBool, false);
    const stonewall = get("stonewall", parseBool, false);
    const newGroup = get("new_group", parseBool, false);
    const buffers = verify !== null || get("mp_buffers", parseBool, false);

    if (dev && blockAlign > 0) {
      if (offset0 >= devBytes)
        err("offset", `offset ${offset0} is beyond the end of ${dev.name} (${devBytes} bytes)`);
      if (offset0 % lbs !== 0)
        err("offset", `offset ${offset0} is not a multiple of the logical block size ${lbs}`);
      if (offsetIncrement % lbs !== 0)
        err(
          "offset_increment",
          `offset_increment ${offsetIncrement} is not a multiple of the logical block size ${lbs}`,
        );
    }
    if (jobIndex === 0 || stonewall || newGroup) groupId++;
    const failed = diags.filter((d) => d.severity === "error").length > before;
    if (failed || !dev) return;

    for (let clone = 0; clone < numjobs; clone++) {
      const offset = offset0 + clone * offsetIncrement;
      if (offset >= devBytes) {
        err("offset_increment", `clone ${clone} starts at ${offset}, beyond the end of ${dev.name}`);
        return;
      }
      const want = sizeGiven ? pct(sizeVal, devBytes) : devBytes - offset;
      let size = Math.min(want, devBytes - offset);
      if (size < minBs) {
        err("size", `size too small, must not be less than minimum block size: ${size} < ${minBs}`);
        return;
      }
      size -= size % blockAlign;
      if (random && norandommap === false && size / blockAlign > RANDOM_MAP_MAX_BLOCKS) {
        err("size", `the random map cannot cover ${size / blockAlign} blocks; use norandommap`);
        return;
      }
      const ioGiven = given.io_size !== undefined ? get("io_size", (s) => parseSize(s, kb), size) : size;
      out.push({
        name,
        jobIndex,
        clone,
        groupId,
        stonewall,
        groupReporting,
        filename: given.filename,
        rw: mode,
        random,
        readPct,
        bssplit: split,
        minBs,
        maxBs,
        blockAlign,
        iodepth,
        numjobs,
        offset,
        size,
        ioSize: timeBased ? Number.POSITIVE_INFINITY : ioGiven * loops,
        runtimeNs: runtimeNs > 0 ? runtimeNs : Number.POSITIVE_INFINITY,
        timeBased,
        rampNs,
        rateIops,
        verify,
        verifyInterval,
        doVerify,
        verifyFatal,
        randomMap: !norandommap,
        randseed,
        continueOn,
        percentiles,
        buffers,
        given,
      });
    }
  });
  // Jobs verifying on one device share its verify map: their intervals must agree.
  const intervals = new Map<string, number>();
  for (const j of out) {
    if (!j.verify) continue;
    const key = j.filename ?? "";
    const prev = intervals.get(key);
    if (prev !== undefined && prev !== j.verifyInterval)
      diags.push({
        severity: "error",
        job: j.name,
        option: "verify_interval",
        message: `verify_interval ${j.verifyInterval} differs from ${prev} used by another job on the same device`,
      });
    intervals.set(key, j.verifyInterval);
  }
  if (diags.some((d) => d.severity === "error")) return { ok: false, diagnostics: diags };
  return { ok: true, jobs: out, diagnostics: diags };
}
