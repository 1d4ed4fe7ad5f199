import { strerror } from "@mp/dm-core";
import type { BlkIoctl, SimHost } from "../host/sim-host.js";
import type { ToolIo } from "./tool-io.js";

const USAGE = `BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: blockdev OPTION BLOCKDEV

\t--setro\t\tSet ro
\t--setrw\t\tSet rw
\t--getro\t\tGet ro
\t--getss\t\tGet sector size
\t--getbsz\tGet block size
\t--setbsz BYTES\tSet block size
\t--getsz\t\tGet device size in 512-byte sectors
\t--getsize64\tGet device size in bytes
\t--getra\t\tGet readahead in 512-byte sectors
\t--setra SECTORS\tSet readahead
\t--flushbufs\tFlush buffers
\t--rereadpt\tReread partition table
`;

/** One `--option`: its ioctl, whether it takes a number, and whether it prints a result. */
interface BlockdevCmd {
  readonly ioc: BlkIoctl;
  /** The fixed argument (setro 1, setrw 0), or "user" for one taken from the command line. */
  readonly arg: number | "user";
  readonly prints: boolean;
  /** `--getsz`: bytes shown as 512-byte sectors. */
  readonly scale512?: boolean;
}

const COMMANDS: Readonly<Record<string, BlockdevCmd>> = {
  setro: { ioc: "BLKROSET", arg: 1, prints: false },
  setrw: { ioc: "BLKROSET", arg: 0, prints: false },
  getro: { ioc: "BLKROGET", arg: 0, prints: true },
  getss: { ioc: "BLKSSZGET", arg: 0, prints: true },
  getbsz: { ioc: "BLKBSZGET", arg: 0, prints: true },
  setbsz: { ioc: "BLKBSZSET", arg: "user", prints: false },
  getsz: { ioc: "BLKGETSIZE64", arg: 0, prints: true, scale512: true },
  getsize64: { ioc: "BLKGETSIZE64", arg: 0, prints: true },
  getra: { ioc: "BLKRAGET", arg: 0, prints: true },
  setra: { ioc: "BLKRASET", arg: "user", prints: false },
  flushbufs: { ioc: "BLKFLSBUF", arg: 0, prints: false },
  rereadpt: { ioc: "BLKRRPART", arg: 0, prints: false },
};

/** busybox's `xatoi_positive`: decimal digits only, up to INT_MAX. */
function atoiPositive(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n <= 0x7fffffff ? n : null;
}

/**
 * `blockdev` as Debian 12's guest has it (BusyBox 1.35): exactly one option, its number for
 * `--setbsz`/`--setra`, and one device; the usage text and status 1 for anything else, and
 * `blockdev: DEV: STRERROR` when the ioctl fails.
 */
export function blockdevMain(argv: readonly string[], host: SimHost, io: ToolIo): number {
  const args = argv.slice(1);
  const usage = (): number => {
    io.stderr(USAGE);
    return 1;
  };
  if (args.length < 2) return usage();
  const opt = args[0]!;
  const cmd = opt.startsWith("--") ? COMMANDS[opt.slice(2)] : undefined;
  if (!cmd || !Object.hasOwn(COMMANDS, opt.slice(2))) return usage();
  let i = 1;
  let arg = 0;
  if (cmd.arg === "user") {
    const v = atoiPositive(args[i]!);
    if (v === null) {
      io.stderr(`blockdev: invalid number '${args[i]}'\n`);
      return 1;
    }
    arg = v;
    i++;
  } else {
    arg = cmd.arg;
  }
  if (args.length !== i + 1) return usage();
  const dev = args[i]!;
  const r = host.blockIoctl(dev, cmd.ioc, arg);
  if ("errno" in r) {
    // An open() failure is xopen's message; an ioctl failure is the perror form.
    io.stderr(
      "inOpen" in r
        ? `blockdev: can't open '${dev}': ${strerror(r.errno)}\n`
        : `blockdev: ${dev}: ${strerror(r.errno)}\n`,
    );
    return 1;
  }
  if (cmd.prints) io.stdout(`${cmd.scale512 ? Math.floor(r.value / 512) : r.value}\n`);
  return 0;
}
