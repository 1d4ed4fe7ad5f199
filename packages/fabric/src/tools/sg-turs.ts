import { formatExtdSense, normalizeSense, type ScsiResult, scsiSenseValid, strerror } from "@mp/dm-core";
import type { SimHost } from "../host/sim-host.js";
import type { ToolIo } from "./tool-io.js";

const USAGE = `Usage: sg_turs [--delay=MS] [--help] [--low] [--number=NUM] [--num=NUM]
               [--progress] [--time] [--verbose] [--version] DEVICE
  where:
    --delay=MS|-d MS    delay MS miiliseconds before sending each tur
    --help|-h        print usage message then exit
    --low|-l         use low level (sg_pt) interface for speed
    --number=NUM|-n NUM    number of test_unit_ready commands (def: 1)
    --num=NUM|-n NUM       same action as '--number=NUM'
    --old|-O         use old interface (use as first option)
    --progress|-p    outputs progress indication (percentage) if available
                     waits 30 seconds before TUR unless --delay=MS given
    --time|-t        outputs total duration and commands per second
    --verbose|-v     increase verbosity
    --version|-V     print version string then exit

Performs a SCSI TEST UNIT READY command (or many of them).
This SCSI command is often known by its abbreviation: TUR .
`;

/** sg3_utils' exit statuses (`SG_LIB_CAT_*`) and their category text. */
const CAT = {
  NOT_READY: 2,
  MEDIUM_HARD: 3,
  ILLEGAL_REQ: 5,
  UNIT_ATTENTION: 6,
  DATA_PROTECT: 7,
  ABORTED_COMMAND: 11,
  MISCOMPARE: 14,
  NO_SENSE: 20,
  RECOVERED: 21,
  RES_CONFLICT: 24,
  TIMEOUT: 33,
  TRANSPORT_ERROR: 35,
  OTHER: 99,
} as const;

const CAT_TEXT: Record<number, string> = {
  2: "Not ready",
  3: "Medium or hardware error",
  5: "Illegal request",
  6: "Unit attention",
  7: "Data protect",
  11: "Aborted command",
  14: "Miscompare",
  20: "No sense key",
  21: "Recovered error",
  24: "Reservation conflict",
  33: "Command timed out",
  35: "Transport error",
  99: "Some other error/warning has occurred",
};

const SENSE_KEYS = [
  "No Sense",
  "Recovered Error",
  "Not Ready",
  "Medium Error",
  "Hardware Error",
  "Illegal Request",
  "Unit Attention",
  "Data Protect",
  "Blank Check",
  "Vendor specific",
  "Copy Aborted",
  "Aborted Command",
  "Equal",
  "Volume Overflow",
  "Miscompare",
  "Completed",
];

const HOST_BYTES = [
  "DID_OK",
  "DID_NO_CONNECT",
  "DID_BUS_BUSY",
  "DID_TIME_OUT",
  "DID_BAD_TARGET",
  "DID_ABORT",
  "DID_PARITY",
  "DID_ERROR",
  "DID_RESET",
  "DID_BAD_INTR",
  "DID_PASSTHROUGH",
  "DID_SOFT_ERROR",
  "DID_IMM_RETRY",
  "DID_REQUEUE",
  "DID_TRANSPORT_DISRUPTED",
  "DID_TRANSPORT_FAILFAST",
  "DID_TARGET_FAILURE",
  "DID_NEXUS_FAILURE",
];

/**
 * sg3_utils' names (T10's asc-num.txt) of the unit attention conditions a target reports, which
 * the kernel's table (dm-core's `formatExtdSense`) does not carry; other codes use the kernel's.
 */
const SG3_ASC: Readonly<Record<number, string>> = {
  10496: "Power on, reset, or bus device reset occurred",
  10497: "Power on occurred",
  10498: "SCSI bus reset occurred",
  10499: "Bus device reset function occurred",
  10500: "Device internal reset",
  10503: "I_T nexus loss occurred",
  10753: "Mode parameters changed",
  10758: "Asymmetric access state changed",
  10759: "Implicit asymmetric access state transition failed",
  10761: "Capacity data has changed",
  16131: "Inquiry data has changed",
  16142: "Reported luns data has changed",
};

function ascText(asc: number, ascq: number): string {
  return SG3_ASC[(asc << 8) | ascq] ?? formatExtdSense(asc, ascq).replace(/^Add\. Sense: /, "");
}

/** `sg_err_category_new()`: the category of a completed command. */
function category(r: ScsiResult): { cat: number; senseText: string | null } {
  // On Linux a host byte makes the pass-through a transport error (sense is not looked at).
  if (r.hostStatus !== 0) return { cat: CAT.TRANSPORT_ERROR, senseText: null };
  if (r.status === 0x18) return { cat: CAT.RES_CONFLICT, senseText: null };
  if (r.status !== 0x02) return { cat: r.status === 0 ? 0 : CAT.OTHER, senseText: null };
  const raw = r.sense?.raw ?? null;
  const h = normalizeSense(raw);
  if (!raw || !scsiSenseValid(h)) return { cat: CAT.OTHER, senseText: null };
  const fmt = h.responseCode >= 0x72 ? "Descriptor" : "Fixed";
  const cur = h.responseCode & 1 ? "deferred" : "current";
  const text = `${fmt} format, ${cur}; Sense key: ${SENSE_KEYS[h.senseKey]}\nAdditional sense: ${ascText(h.asc, h.ascq)}\n`;
  switch (h.senseKey) {
    case 0x0:
      return { cat: CAT.NO_SENSE, senseText: text };
    case 0x1:
      return { cat: CAT.RECOVERED, senseText: text };
    case 0x2:
      return { cat: CAT.NOT_READY, senseText: text };
    case 0x3:
    case 0x4:
      return { cat: CAT.MEDIUM_HARD, senseText: text };
    case 0x5:
      return { cat: CAT.ILLEGAL_REQ, senseText: text };
    case 0x6:
      return { cat: CAT.UNIT_ATTENTION, senseText: text };
    case 0x7:
      return { cat: CAT.DATA_PROTECT, senseText: text };
    case 0xb:
      return { cat: CAT.ABORTED_COMMAND, senseText: text };
    case 0xe:
      return { cat: CAT.MISCOMPARE, senseText: text };
    default:
      return { cat: CAT.OTHER, senseText: text };
  }
}

const ENXIO = 6;

/** The environment of `sg_turs`: SG_IO through the host, and virtual time. */
export interface SgTursEnv {
  readonly host: SimHost;
  now(): number;
  sleep(ns: number): Promise<void>;
}

function sgIo(host: SimHost, dev: string, timeoutMs: number): Promise<ScsiResult | { errno: number }> {
  return new Promise((resolve) =>
    host.sgIo(dev, { cdb: new Uint8Array(6), direction: "none", timeoutMs }, (r) => resolve(r)),
  );
}

/**
 * `sg_turs` (sg3_utils 1.46, version string 3.48 20210102): TEST UNIT READY through SG_IO, the
 * exit status being sg3_utils' error category (50 + errno for OS errors).
 */
export async function sgTursMain(argv: readonly string[], env: SgTursEnv, io: ToolIo): Promise<number> {
  let num = 1;
  let verbose = 0;
  let time = false;
  let progress = false;
  let delayMs = 0;
  let dev: string | null = null;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-h" || a === "--help" || a === "-?") {
      io.stdout(USAGE);
      return 0;
    }
    if (a === "-V" || a === "--version") {
      io.stderr("Version string: 3.48 20210102\n");
      return 0;
    }
    const num1 = /^(?:-n|--number=|--num=)(\d*)$/.exec(a);
    if (num1) {
      const v = num1[1] || args[++i] || "";
      if (!/^\d+$/.test(v)) {
        io.stderr(`bad argument to '--num'\n`);
        return 1;
      }
      num = Number(v);
      continue;
    }
    const d = /^(?:-d|--delay=)(\d*)$/.exec(a);
    if (d) {
      const v = d[1] || args[++i] || "";
      if (!/^\d+$/.test(v)) {
        io.stderr("bad argument to '--delay='\n");
        return 1;
      }
      delayMs = Number(v);
      continue;
    }
    if (/^-[vtplO]+$/.test(a)) {
      for (const c of a.slice(1)) {
        if (c === "v") verbose++;
        else if (c === "t") time = true;
        else if (c === "p") progress = true;
      }
      continue;
    }
    if (a === "--verbose") verbose++;
    else if (a === "--time") time = true;
    else if (a === "--progress") progress = true;
    else if (a === "--low" || a === "--old") {
    } else if (a.startsWith("-") && a.length > 1) {
      io.stderr(`sg_turs: invalid option -- '${a.replace(/^-+/, "")[0]}'\n`);
      io.stdout(USAGE);
      return 0;
    } else if (dev === null) dev = a;
    else {
      io.stderr(`Unexpected extra argument: ${a}\n`);
      io.stdout(USAGE);
      return 1;
    }
  }
  if (dev === null) {
    io.stderr("No DEVICE argument given\n");
    io.stdout(USAGE);
    return 1;
  }
  const openErr = env.host.openErrno(dev);
  if (openErr) {
    io.stderr(`main: error opening file: ${dev}: ${strerror(openErr)}\n`);
    return 50 + openErr;
  }
  if (progress) {
    // Progress mode: poll until the device is ready or stops reporting progress (none here).
    const r = await sgIo(env.host, dev, 60_000);
    if ("errno" in r) return 50 + r.errno;
    return category(r).cat === CAT.RECOVERED ? 0 : category(r).cat;
  }
  const start = env.now();
  let errors = 0;
  let last = 0;
  for (let k = 0; k < num; k++) {
    if (delayMs > 0) await env.sleep(delayMs * 1e6);
    if (verbose) io.stderr("    test unit ready cdb: [00 00 00 00 00 00]\n");
    const r = await sgIo(env.host, dev, 60_000);
    let cat: number;
    let senseText: string | null = null;
    if ("errno" in r) {
      // sg_cmds_process_resp maps ENXIO (SG_IO on an offline device) to "not ready".
      if (r.errno !== ENXIO) {
        io.stderr(`test unit ready: pass-through os error: ${strerror(r.errno)}\n${strerror(r.errno)}\n`);
        return 50 + r.errno;
      }
      if (verbose) io.stderr(`test unit ready: pass-through os error: ${strerror(r.errno)}\n`);
      cat = CAT.NOT_READY;
    } else ({ cat, senseText } = category(r));
    if (cat === 0 || cat === CAT.RECOVERED) continue;
    errors++;
    last = cat;
    if (cat === CAT.NOT_READY) {
      if (verbose && senseText) io.stderr(`test unit ready:\n${senseText}`);
      continue;
    }
    if (num === 1) {
      if (senseText) io.stderr(`test unit ready:\n${senseText}`);
      else if (!("errno" in r) && r.hostStatus !== 0)
        io.stderr(
          `test unit ready: transport: Host_status=0x${r.hostStatus.toString(16).padStart(2, "0")} [${HOST_BYTES[r.hostStatus] ?? "?"}]\nDriver_status=0x00 [DRIVER_OK]\n`,
        );
      io.stderr(`${CAT_TEXT[cat] ?? CAT_TEXT[99]}\n`);
      return cat;
    }
  }
  if (time) {
    const secs = (env.now() - start) / 1e9;
    const rate = secs > 0 ? Math.floor(num / secs) : 0;
    io.stdout(`time to perform commands was ${secs.toFixed(6)} secs; ${rate} operations/sec\n`);
  }
  if (num === 1 && last === CAT.NOT_READY) io.stderr("device not ready\n");
  if (num > 1 || errors > 0) io.stderr(`Completed ${num} Test Unit Ready commands with ${errors} errors\n`);
  return num === 1 ? last : 0;
}
