import type { SimHost } from "../host/sim-host.js";
import type { UdevRecord } from "../host/udev/udev.js";
import type { ToolIo } from "./tool-io.js";

const QUERIES = ["name", "symlink", "path", "property", "env", "all"] as const;
type Query = (typeof QUERIES)[number];

/** `R:`: the trailing decimal digits of the kernel name. */
function sysnum(sysname: string): string | null {
  const m = /(\d+)$/.exec(sysname);
  return m ? m[1]! : null;
}

/**
 * The properties in the order `udevadm info` prints them: looked up by device node the device
 * node variables come first; looked up by sysfs path SUBSYSTEM follows DEVPATH.
 */
function orderedProperties(r: UdevRecord, byPath: boolean): Array<[string, string]> {
  const all = [...r.properties.entries()];
  if (!byPath || !r.devnode) return all;
  const sub = all.find(([k]) => k === "SUBSYSTEM");
  const rest = all.filter(([k]) => k !== "SUBSYSTEM" && k !== "DEVPATH");
  const dp = all.find(([k]) => k === "DEVPATH");
  return [...(dp ? [dp] : []), ...(sub ? [sub] : []), ...rest];
}

/** `udevadm info --query=all` of one device. */
export function formatUdevadmAll(r: UdevRecord, byPath = false): string {
  let s = `P: ${r.devpath}\nM: ${r.sysname}\n`;
  const n = sysnum(r.sysname);
  if (n !== null) s += `R: ${n}\n`;
  s += `U: ${r.subsystem}\n`;
  if (r.devtype) s += `T: ${r.devtype}\n`;
  if (r.driver) s += `V: ${r.driver}\n`;
  if (r.devnode && r.devnum !== undefined) {
    const kind = r.subsystem === "block" ? "b" : "c";
    s += `D: ${kind} ${Math.floor(r.devnum / 2 ** 20)}:${r.devnum & 0xfffff}\n`;
    s += `N: ${r.devnode.slice(5)}\n`;
    s += `L: ${r.linkPriority}\n`;
    for (const l of r.devlinks) s += `S: ${l.slice(5)}\n`;
    const seq = r.properties.get("DISKSEQ");
    if (seq) s += `Q: ${seq}\n`;
  }
  for (const [k, v] of orderedProperties(r, byPath)) s += `E: ${k}=${v}\n`;
  return `${s}\n`;
}

/** Resolves what `udevadm info` was pointed at: a /dev node or link, or a /sys path. */
function lookup(host: SimHost, what: string): { record: UdevRecord | null; byPath: boolean } {
  if (what.startsWith("/sys/")) {
    const real = host.sysfs.realpath(what);
    return { record: real ? host.udev.lookup(real.slice(4)) : null, byPath: true };
  }
  if (what.startsWith("/devices/")) return { record: host.udev.lookup(what), byPath: true };
  const r = host.udev.lookup(what.startsWith("/dev/") ? what : `/dev/${what}`);
  // The node goes with the kernel device (devtmpfs), before udevd processes the removal.
  return { record: r && host.sysfs.read(`${r.syspath}/uevent`) !== null ? r : null, byPath: false };
}

/**
 * `udevadm info` (systemd 252): `--query=name|symlink|path|property|all`, `--path`, `--name`,
 * a positional device, `--property=A,B`, `--value`, `--export`, `--export-db`.
 */
export function udevadmMain(argv: readonly string[], host: SimHost, io: ToolIo): number {
  if (argv[1] !== "info") {
    io.stderr(`Unknown command: ${argv[1] ?? ""}\n`);
    return 1;
  }
  let query: Query = "all";
  let exportDb = false;
  let exportFmt = false;
  let value = false;
  let props: string[] | null = null;
  const devices: { spec: string; byPath: boolean }[] = [];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const opt = (short: string, long: string): string | null | undefined => {
      if (a === short || a === long) return args[++i] ?? null;
      if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
      if (a.startsWith(short) && a.length > 2 && !a.startsWith("--")) return a.slice(2);
      return undefined;
    };
    let v: string | null | undefined;
    if ((v = opt("-q", "--query")) !== undefined) {
      if (v === null || !(QUERIES as readonly string[]).includes(v)) {
        io.stderr(v === null ? "option requires an argument -- 'q'\n" : "unknown query type\n");
        return 1;
      }
      query = v as Query;
    } else if ((v = opt("-p", "--path")) !== undefined) {
      if (v === null) return 1;
      devices.push({
        spec: v.startsWith("/sys/") ? v : `/sys${v.startsWith("/") ? "" : "/"}${v}`,
        byPath: true,
      });
    } else if ((v = opt("-n", "--name")) !== undefined) {
      if (v === null) return 1;
      devices.push({ spec: v.startsWith("/dev/") ? v : `/dev/${v}`, byPath: false });
    } else if (a === "-e" || a === "--export-db") exportDb = true;
    else if (a === "-x" || a === "--export") exportFmt = true;
    else if (a === "--value") value = true;
    else if (a.startsWith("--property=")) props = a.slice(11).split(",");
    else if (a === "-r" || a === "--root" || a === "-w" || a === "--wait-for-initialization") {
    } else if (a.startsWith("-")) {
      io.stderr(`udevadm info: invalid option -- '${a.replace(/^-+/, "")}'\n`);
      return 1;
    } else devices.push({ spec: a, byPath: a.startsWith("/sys/") });
  }
  if (exportDb) {
    for (const r of host.udev.all()) io.stdout(formatUdevadmAll(r, true));
    return 0;
  }
  if (devices.length === 0) {
    io.stderr("A device name or path is required\n");
    return 1;
  }
  let rc = 0;
  for (const d of devices) {
    const { record: r, byPath } = lookup(host, d.spec);
    if (!r) {
      io.stderr(`Unknown device "${d.spec}": No such device\n`);
      rc = 1;
      continue;
    }
    switch (query) {
      case "all":
        io.stdout(formatUdevadmAll(r, byPath));
        break;
      case "name":
        if (!r.devnode) {
          io.stderr("No device node found\n");
          rc = 1;
        } else io.stdout(`${r.devnode.slice(5)}\n`);
        break;
      case "symlink":
        io.stdout(`${r.devlinks.map((l) => l.slice(5)).join(" ")}\n`);
        break;
      case "path":
        io.stdout(`${r.devpath}\n`);
        break;
      case "property":
      case "env":
        for (const [k, v] of orderedProperties(r, byPath)) {
          if (props && !props.includes(k)) continue;
          if (value) io.stdout(`${v}\n`);
          else if (exportFmt) io.stdout(`${k}='${v}'\n`);
          else io.stdout(`${k}=${v}\n`);
        }
        break;
    }
  }
  return rc;
}
