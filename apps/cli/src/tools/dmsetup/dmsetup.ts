import type { DevT, DmControl, DmInfo, DmTableLine } from "@mp/dm-core";
import { devMajor, devMinor, mkdev, strerror } from "@mp/dm-core";
import type { ProcessIo } from "../../machine/process-io.js";
import { cAtoi, cStrto, cStrtoullStrict } from "../cnum.js";
import { getoptLong } from "../getopt.js";
import {
  type DmTask,
  DmUdevFlag,
  LibDm,
  type MapperNodes,
  mangleName,
  type TaskInfo,
  unmangleName,
} from "./libdm.js";
import {
  DEFAULT_INFO_FIELDS,
  DEFAULT_SPLITNAME_FIELDS,
  fieldHelpLines,
  neededTypes,
  parseFields,
  parseSortKeys,
  Report,
  type ReportObject,
  type SplitName,
} from "./report.js";
import { DepTree, drawTree, parseTreeOptions, type TreeOptions } from "./tree.js";
import {
  DMSETUP_COMMANDS,
  DMSETUP_LONG_OPTIONS,
  DMSETUP_SHORT_OPTIONS,
  DMSETUP_SHORT_TO_LONG,
  type DmsetupCommandDef,
  dmsetupUsage,
} from "./usage.js";

/** libdevmapper's version string (Debian 12's device-mapper 1.02.185). */
export const LIBDM_VERSION = "1.02.185 (2022-05-18)";
/** `DM_NAME_LEN`, `DM_UUID_LEN`. */
const DM_NAME_LEN = 128;
const DM_UUID_LEN = 129;
/** `DM_COOKIE_MAGIC`. */
const DM_COOKIE_MAGIC = 0x0d4d;

/** What dmsetup needs from the machine besides the dm ioctls. */
export interface DmsetupEnv {
  readonly dm: DmControl;
  /** The device-mapper block major. */
  readonly dmMajor: number;
  /** Kernel name of a block device (`dm-0`, `loop1`), or undefined. */
  blockName(devt: DevT): string | undefined;
  /** `stat(path).st_rdev` of a block device node, or undefined when there is none. */
  statBlock(path: string): DevT | undefined;
  /** Contents of a regular file (a table file), or null. */
  readFile(path: string): string | null;
  /** `BLKRAGET`, in sectors. */
  readAhead(devt: DevT): number;
  /** The /dev/mapper nodes libdm keeps when udev does not (undefined: udev does). */
  readonly nodes?: MapperNodes | undefined;
  /** `BLKRASET`, in sectors; null restores the kernel's default (a new device). */
  setReadAhead(devt: DevT, sectors: number | null): void;
  /** udev synchronisation: waits until udev processed the dm events; undefined without udev. */
  readonly udevWait?: (() => Promise<void>) | undefined;
  /**
   * `DM_DISABLE_UDEV` is set (libdm makes the nodes and keeps udev's dm rules out). Default:
   * set exactly when udev does not run, as the conformance scenarios run dmsetup.
   */
  readonly udevDisabled?: boolean | undefined;
  /** 16 random bits for a udev cookie (libdm reads /dev/urandom). */
  readonly random16?: (() => number) | undefined;
  /** stdin's contents (a table or concise spec may come from it). */
  readonly stdin: string;
}

/** Parsed switches: how often each long option was given, and the last argument of each. */
class Switches {
  readonly count = new Map<string, number>();
  readonly arg = new Map<string, string>();
  readonly int = new Map<string, number>();

  has(name: string): boolean {
    return (this.count.get(name) ?? 0) > 0;
  }

  n(name: string): number {
    return this.count.get(name) ?? 0;
  }

  inc(name: string): void {
    this.count.set(name, this.n(name) + 1);
  }

  set(name: string, value: number): void {
    this.count.set(name, value);
  }

  str(name: string): string | undefined {
    return this.arg.get(name);
  }

  num(name: string): number {
    return this.int.get(name) ?? 0;
  }
}

type DevNameType = "devno" | "blk" | "map";

/** `read_ahead` flags of `--readahead`. */
type ReadAhead = { kind: "auto" } | { kind: "none" } | { kind: "value"; sectors: number; minimum: boolean };

/** Splits an LVM dm name into VG, LV and layer (`--` is an escaped `-`). */
export function splitLvmName(name: string): { vg: string; lv: string; layer: string } {
  const unquote = (s: string): [string, string] => {
    let out = "";
    let i = 0;
    while (i < s.length) {
      if (i + 1 < s.length && s[i] === "-") {
        if (s[i + 1] === "-") i++;
        else break;
      }
      out += s[i];
      i++;
    }
    return [out, i < s.length ? s.slice(i + 1) : ""];
  };
  const [vg, r1] = unquote(name);
  const [lv, r2] = unquote(r1);
  const [layer] = unquote(r2);
  return { vg, lv, layer };
}

function splitName(uuid: string, name: string, separator: string): SplitName {
  let subsystem: string;
  if (separator === "") subsystem = uuid;
  else {
    const p = uuid.indexOf(separator);
    subsystem = p < 0 ? "" : uuid.slice(0, p);
  }
  if (subsystem === "LVM") {
    const s = splitLvmName(name);
    return { subsystem, vgName: s.vg, lvName: s.lv, lvLayer: s.layer };
  }
  return { subsystem, vgName: "", lvName: "", lvLayer: "" };
}

/** One dmsetup process. */
class Dmsetup {
  readonly #io: ProcessIo;
  readonly #env: DmsetupEnv;
  readonly #lib: LibDm;
  readonly #sw = new Switches();
  #table: string | undefined;
  #readAhead: ReadAhead | undefined;
  #devNameType: DevNameType = "devno";
  #treeOpts: TreeOptions | undefined;
  #report: Report | undefined;
  #reportTypes = new Set<string>();
  #reportSuppressed = false;
  #tree: DepTree | undefined;
  #conciseOutput = false;
  #udevCookie = 0;

  constructor(io: ProcessIo, env: DmsetupEnv) {
    this.#io = io;
    this.#env = env;
    this.#lib = new LibDm(
      env.dm,
      (l) => this.#err(l),
      {
        disabled: env.udevDisabled ?? env.udevWait === undefined,
        wait: env.udevWait,
        random16: env.random16,
      },
      env.nodes,
    );
  }

  #out(s: string): void {
    this.#io.stdout(s);
  }

  #err(line: string): void {
    this.#io.stderr(`${line}\n`);
  }

  #usage(): void {
    this.#io.stderr(dmsetupUsage());
  }

  /** `_process_switches`: false (after the message) when the command line is bad. */
  #processSwitches(args: readonly string[]): { ok: boolean; operands: string[] } {
    const sw = this.#sw;
    const r = getoptLong("dmsetup", args, DMSETUP_SHORT_OPTIONS, DMSETUP_LONG_OPTIONS);
    if (!r.ok) {
      this.#err(r.message);
      return { ok: false, operands: [] };
    }
    for (const o of r.options) {
      const name = o.long ? o.key : DMSETUP_SHORT_TO_LONG[o.key]!;
      const arg = o.arg ?? "";
      sw.inc(name);
      if (o.arg !== undefined) sw.arg.set(name, o.arg);
      switch (name) {
        case "major":
        case "minor":
        case "uid":
        case "gid":
        case "areas":
        case "regionid":
        case "groupid":
          sw.int.set(name, cAtoi(arg));
          break;
        case "count": {
          const n = cAtoi(arg);
          sw.int.set(name, n);
          if (n < 0) {
            this.#err("Count must be zero or greater.");
            return { ok: false, operands: [] };
          }
          break;
        }
        case "interval": {
          const n = cAtoi(arg);
          sw.int.set(name, n);
          if (n <= 0) {
            this.#err("Interval must be a positive integer.");
            return { ok: false, operands: [] };
          }
          break;
        }
        case "mode": {
          const v = cStrto(arg, 8, 2n ** 63n - 1n);
          if (v.overflow || v.end !== arg.length || v.value === 0n) {
            this.#err(`Invalid argument for --mode: ${arg}. ${v.overflow ? strerror(34) : ""}`);
            return { ok: false, operands: [] };
          }
          sw.int.set(name, Number(v.value));
          break;
        }
        case "manglename":
          if (!["none", "auto", "hex"].includes(arg.toLowerCase())) {
            this.#err("Unknown name mangling mode.");
            return { ok: false, operands: [] };
          }
          break;
        case "readahead": {
          const low = arg.toLowerCase();
          if (low === "auto") this.#readAhead = { kind: "auto" };
          else if (low === "none") this.#readAhead = { kind: "none" };
          else {
            const minimum = arg.trimStart().startsWith("+");
            const n = cAtoi(arg);
            if (n < -1) {
              this.#err(`Negative read ahead value (${n}) is not understood.`);
              return { ok: false, operands: [] };
            }
            this.#readAhead = { kind: "value", sectors: n, minimum };
          }
          break;
        }
        case "udevcookie":
          this.#udevCookie = this.#cookieValue(arg);
          break;
        case "table":
          this.#table = arg;
          break;
        default:
          break;
      }
    }
    if (sw.has("major") !== sw.has("minor")) {
      this.#err("Please specify both major number and minor number.");
      return { ok: false, operands: [] };
    }
    if (sw.has("table") && sw.has("notable")) {
      this.#err("--table and --notable are incompatible.");
      return { ok: false, operands: [] };
    }
    if (sw.has("addnodeonresume") && sw.has("addnodeoncreate")) {
      this.#err("--addnodeonresume and --addnodeoncreate are incompatible.");
      return { ok: false, operands: [] };
    }
    return { ok: true, operands: [...r.operands] };
  }

  /**
   * The udev flags dmsetup passes to `dm_task_set_cookie`: `--noudevrules` keeps udev's dm and
   * subsystem rules out; with udev making the nodes in /dev (no `--verifyudev`, or a transaction
   * cookie given) libdm must not make them itself (`_udev_only`).
   */
  #setCookie(t: DmTask): void {
    let flags = 0;
    if (this.#sw.has("noudevrules"))
      flags |= DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
    if (this.#udevCookie || !this.#sw.has("verifyudev")) flags |= DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
    t.udevFlags = flags;
    if (this.#udevCookie) t.udevCookie = this.#udevCookie;
  }

  #cookieValue(s: string): number {
    const v = cStrto(s, 0);
    if (!v.any || v.overflow || v.end !== s.length || v.value === 0n || v.value > 0xffffffffn) {
      this.#err("Incorrect cookie value.");
      return 0;
    }
    return Number(v.value);
  }

  /** `_process_options` for `-o` outside reports. */
  #processOptions(): boolean {
    const sw = this.#sw;
    if (sw.has("tree")) {
      const t = parseTreeOptions(sw.str("options"));
      if (!t.ok) {
        this.#err(`Tree options not recognised: ${t.bad}.`);
        return false;
      }
      this.#treeOpts = t.opts;
      return true;
    }
    if (sw.has("columns") || !sw.has("options")) return true;
    this.#devNameType = "devno";
    let s = sw.str("options") ?? "";
    while (s.length > 0) {
      const comma = s.indexOf(",");
      const word = comma < 0 ? s : s.slice(0, comma);
      if ("devno".startsWith(word)) this.#devNameType = "devno";
      else if ("blkdevname".startsWith(word)) this.#devNameType = "blk";
      else if ("devname".startsWith(word)) this.#devNameType = "map";
      else {
        this.#err(`Option not recognised: ${s}.`);
        return false;
      }
      if (comma < 0) break;
      s = s.slice(comma + 1);
    }
    return true;
  }

  /** `_report_init`. */
  #reportInit(cmd: DmsetupCommandDef, forceHelp = false): boolean {
    const sw = this.#sw;
    let options = cmd.name === "splitname" ? DEFAULT_SPLITNAME_FIELDS : DEFAULT_INFO_FIELDS;
    let aligned = true;
    let headings = true;
    let separator = " ";
    let namePrefixes = false;
    const quoted = !sw.has("unquoted");
    if (sw.has("noheadings")) {
      separator = ":";
      aligned = false;
      headings = false;
    }
    if (sw.has("nameprefixes")) {
      aligned = false;
      namePrefixes = true;
    }
    const opt = forceHelp ? "help" : sw.has("options") ? sw.str("options") : undefined;
    if (opt !== undefined) {
      if (opt.includes("help")) headings = false;
      options = opt.startsWith("+") ? `${options},${opt.slice(1)}` : opt;
    }
    let sortKeys: ReturnType<typeof parseSortKeys> = { ok: true, keys: [] };
    if (sw.has("sort") && sw.str("sort") !== undefined) {
      if (cmd.name === "status" || cmd.name === "table") {
        this.#err("--sort is not yet supported with status and table.");
        return false;
      }
      sortKeys = parseSortKeys(sw.str("sort")!);
    }
    if (sw.has("separator") && sw.str("separator") !== undefined) {
      separator = sw.str("separator")!;
      aligned = false;
    }
    const fields = parseFields(options);
    if (!fields.ok) {
      this.#io.stderr(`${fieldHelpLines().join("\n")}\n \n`);
      this.#err(`Unrecognised field: ${fields.badField}`);
      return false;
    }
    if (!sortKeys.ok) {
      this.#io.stderr(`${fieldHelpLines().join("\n")}\n \n`);
      this.#err(`dm_report: Unrecognised field: ${sortKeys.badField}`);
      return false;
    }
    if (sw.has("select")) {
      this.#err("mp: dmsetup --select is not modelled.");
      return false;
    }
    if (fields.help) {
      this.#io.stderr(`${fieldHelpLines().join("\n")}\n \n`);
      this.#reportSuppressed = true;
    }
    const unsupported = Report.unsupported(fields.fields) ?? sortKeys.keys.find((k) => !k.field.get)?.field;
    if (unsupported && !fields.help) {
      this.#err(`mp: dmsetup statistics fields (${unsupported.id}) are not modelled.`);
      return false;
    }
    this.#reportTypes = neededTypes(fields.fields);
    this.#report = new Report(fields.help ? [] : fields.fields, {
      aligned,
      headings,
      separator,
      namePrefixes,
      quoted,
      rows: sw.has("rows"),
      sortKeys: sortKeys.keys,
    });
    if (this.#reportTypes.has("tree")) this.#buildTree(cmd, true);
    return true;
  }

  /** `_set_task_device`. */
  #setDevice(t: DmTask, name: string | undefined): boolean {
    const sw = this.#sw;
    if (name !== undefined) return this.#setName(t, name);
    if (sw.has("uuid")) {
      t.uuid = sw.str("uuid")!;
      return true;
    }
    if (sw.has("major") && sw.has("minor")) {
      t.major = sw.num("major");
      t.minor = sw.num("minor");
      return true;
    }
    this.#err("No device specified.");
    return false;
  }

  /** `dm_task_set_name`: a plain name, or a path to an existing device's node. */
  #setName(t: DmTask, name: string): boolean {
    const slash = name.lastIndexOf("/");
    if (slash < 0) {
      if (name.length >= DM_NAME_LEN) {
        this.#err(`Name "${name}" too long.`);
        return false;
      }
      t.name = name;
      return true;
    }
    const last = name.slice(slash + 1);
    if (t.type === "create") {
      this.#err(`Name "${name}" invalid. It contains "/".`);
      return false;
    }
    let devt = this.#env.statBlock(name);
    let finalName: string | undefined;
    if (devt !== undefined) {
      if (this.#env.statBlock(`/dev/mapper/${last}`) === devt) finalName = last;
    } else {
      const count = [...name].filter((c) => c === "/").length;
      if (name.length < 3 || name.startsWith("/") || count !== 1) {
        this.#err(`Device ${name} not found`);
        return false;
      }
      devt = this.#env.statBlock(`/dev/${name}`);
      if (devt === undefined) {
        this.#err(`Device ${name} not found`);
        return false;
      }
    }
    if (finalName === undefined) {
      const d = devt;
      finalName = this.#env.dm.list().find((e) => e.devt === d)?.name;
      if (finalName === undefined) {
        this.#err(`Device ${last} not found`);
        return false;
      }
    }
    t.name = finalName;
    return true;
  }

  /** `_parse_file`: the table from `--table`, a file or stdin. */
  #parseTable(file: string | undefined): DmTableLine[] | null {
    let text: string;
    let label: string;
    if (this.#table !== undefined) {
      text = this.#table;
      label = "";
    } else if (file !== undefined) {
      const c = this.#env.readFile(file);
      if (c === null) {
        this.#err(`Couldn't open '${file}' for reading.`);
        return null;
      }
      text = c;
      label = file;
    } else {
      text = this.#env.stdin;
      label = "on stdin";
    }
    const lines = this.#table !== undefined ? text.split("\n") : text.split(/(?<=\n)/);
    const out: DmTableLine[] = [];
    let n = 0;
    for (const raw of lines) {
      n++;
      if (this.#table === undefined && raw === "") continue;
      const line = raw.replace(/[ \t\n\v\f\r]+$/, "").replace(/^[ \t\n\v\f\r]+/, "");
      if (line === "" || line.startsWith("#")) continue;
      const parsed = scanTableLine(line);
      if (!parsed) {
        this.#err(`Invalid format on line ${n} of table ${label}.`);
        return null;
      }
      out.push(parsed);
    }
    return out;
  }

  /** `dm_task_get_read_ahead`: BLKRAGET on the device's node (undefined when it has none). */
  #readAheadOf(info: DmInfo): number | undefined {
    // Nodes carry the kernel's (mangled) name.
    const node = `/dev/mapper/${this.#lib.mangling === "none" ? info.name : mangleName(info.name, false)}`;
    const devt = this.#env.statBlock(node);
    if (devt === undefined) {
      this.#err(`${node}: open failed: ${strerror(2)}`);
      return undefined;
    }
    // The node exists, but a device without a table has no disk behind it yet.
    if (this.#env.blockName(devt) === undefined) {
      this.#err(`${node}: open failed: ${strerror(6)}`);
      return undefined;
    }
    return this.#env.readAhead(info.devt);
  }

  /** `_display_info`. */
  async #displayInfo(info: TaskInfo, name: string, uuid: string): Promise<boolean> {
    if (!info.exists) {
      this.#err("Device does not exist.");
      return false;
    }
    if (!this.#sw.has("columns")) {
      this.#displayInfoLong(info, name, uuid);
      return true;
    }
    return this.#displayInfoCols(info, name, uuid);
  }

  #displayInfoLong(info: DmInfo, name: string, uuid: string): void {
    let s = `Name:              ${name}\n`;
    s += `State:             ${info.suspended ? "SUSPENDED" : "ACTIVE"}${info.readOnly ? " (READ-ONLY)" : ""}${info.deferredRemove ? " (DEFERRED REMOVE)" : ""}\n`;
    const ra = this.#readAheadOf(info);
    if (ra !== undefined) s += `Read Ahead:        ${ra}\n`;
    if (!info.liveTable && !info.inactiveTable) s += "Tables present:    None\n";
    else {
      s += `Tables present:    ${info.liveTable ? "LIVE" : ""}${info.liveTable && info.inactiveTable ? " & " : ""}${info.inactiveTable ? "INACTIVE" : ""}\n`;
    }
    if (!this.#sw.has("noopencount")) s += `Open count:        ${info.openCount}\n`;
    s += `Event number:      ${info.eventNr}\n`;
    s += `Major, minor:      ${devMajor(info.devt)}, ${devMinor(info.devt)}\n`;
    s += `Number of targets: ${info.targetCount}\n`;
    if (uuid !== "") s += `UUID: ${uuid}\n`;
    s += "\n";
    this.#out(s);
  }

  #displayInfoCols(info: DmInfo, name: string, uuid: string): boolean {
    const major = devMajor(info.devt);
    const minor = devMinor(info.devt);
    let tree: ReportObject["tree"];
    let deps: readonly DevT[] | undefined;
    if (this.#reportTypes.has("tree")) {
      tree = this.#tree?.find(info.devt);
      if (!tree) {
        this.#err(`Cannot find node ${major}:${minor}.`);
        return false;
      }
    }
    if (this.#reportTypes.has("deps")) {
      const r = this.#env.dm.deps({ devt: info.devt }, this.#sw.has("inactive") ? { inactive: true } : {});
      if (!r.ok) {
        this.#err(`device-mapper: deps ioctl on  failed: ${strerror(r.errno)}`);
        this.#err(`Cannot get deps for ${major}:${minor}.`);
        return false;
      }
      deps = r.value.deps;
    }
    if (this.#reportSuppressed || !this.#report) return true;
    const obj: ReportObject = {
      name,
      uuid,
      info,
      readAhead: () => this.#readAheadOf(info) ?? 0,
      blockName: (d) => this.#env.blockName(d),
      fail: (msg) => this.#err(msg),
      ...(deps ? { deps } : {}),
      ...(tree ? { tree } : {}),
      ...(this.#reportTypes.has("name") ? { split: splitName(uuid, name, "-") } : {}),
    };
    return this.#report.addRow(obj);
  }

  /** `_process_all`: runs `fn` for every device (name order). */
  async #processAll(
    silent: boolean,
    fn: (e: { name: string; devt: DevT }) => Promise<boolean>,
  ): Promise<boolean> {
    const r = await this.#lib.run({ type: "names" });
    if (!r) return false;
    const names = r.names ?? [];
    if (names.length === 0) {
      if (!silent) this.#out("No devices found\n");
      return true;
    }
    let ok = true;
    for (const e of names) if (!(await fn(e))) ok = false;
    return ok;
  }

  #buildTree(_cmd: DmsetupCommandDef, silent = false): Promise<boolean> | boolean {
    if (this.#tree) return true;
    const env = this.#env;
    const tree = new DepTree({
      isDm: (d) => devMajor(d) === env.dmMajor,
      deps: (d) => {
        const r = env.dm.deps({ devt: d }, this.#sw.has("inactive") ? { inactive: true } : {});
        if (!r.ok) return null;
        const un = (x: string) => (this.#lib.mangling === "none" ? x : (unmangleName(x, false) ?? x));
        return {
          info: r.value.info,
          name: un(r.value.info.name),
          uuid: un(r.value.info.uuid),
          deps: r.value.deps,
        };
      },
    });
    this.#tree = tree;
    const names = env.dm.list();
    if (names.length === 0 && !silent) this.#out("No devices found\n");
    for (const e of names) tree.addDev(e.devt);
    return true;
  }

  /** `dm_device_get_name`: a device's kernel name, or (for `devname`) its dm name. */
  #deviceName(devt: DevT, preferKernel: boolean): string | undefined {
    // Both come from sysfs, which has no entry for a mapped device before its first table.
    if (this.#env.blockName(devt) === undefined) return undefined;
    if (!preferKernel && devMajor(devt) === this.#env.dmMajor) {
      const e = this.#env.dm.list().find((x) => x.devt === devt);
      if (e) return e.name;
    }
    return this.#env.blockName(devt);
  }

  // ---- commands ----

  async #create(argv: readonly string[]): Promise<boolean> {
    if (this.#sw.has("concise")) {
      if (argv.length > 1) {
        this.#err("dmsetup create --concise takes at most one argument");
        return false;
      }
      return this.#createConcise(argv);
    }
    if (argv.length === 0) {
      this.#err("Please provide a name for the new device.");
      return false;
    }
    return this.#createOne(argv[0]!, argv.length === 2 ? argv[1] : undefined);
  }

  async #createOne(name: string, file: string | undefined): Promise<boolean> {
    const sw = this.#sw;
    const t: DmTask = { type: "create" };
    if (!this.#setName(t, name)) return false;
    this.#setCookie(t);
    if (sw.has("uuid")) {
      const u = sw.str("uuid")!;
      if (u.length >= DM_UUID_LEN) {
        this.#err(`Device uuid "${u}" too long.`);
        return false;
      }
      t.uuid = u;
    }
    if (!sw.has("notable")) {
      const table = this.#parseTable(file);
      if (!table) return false;
      if (table.length > 0) t.targets = table;
    }
    if (sw.has("readonly")) t.readOnly = true;
    if (sw.has("addnodeoncreate")) t.addNodeOnCreate = true;
    if (sw.has("major") || sw.has("minor")) {
      this.#err("mp: dmsetup create with a fixed --major/--minor is not modelled.");
      return false;
    }
    const r = await this.#lib.run(t);
    if (!r) return false;
    if (r.info.exists) {
      this.#env.setReadAhead(r.info.devt, null);
      this.#applyReadAhead(r.info.devt);
    }
    if (sw.has("verbose")) {
      const info = await this.#lib.run({ type: "info", name: t.name! });
      if (!info) return false;
      return this.#displayInfo(info.info, t.name!, info.info.exists ? info.info.uuid : "");
    }
    return true;
  }

  #applyReadAhead(devt: DevT): void {
    const ra = this.#readAhead;
    if (!ra || ra.kind === "auto") return;
    if (ra.kind === "none") {
      this.#env.setReadAhead(devt, 0);
      return;
    }
    if (ra.minimum && this.#env.readAhead(devt) >= ra.sectors) return;
    this.#env.setReadAhead(devt, ra.sectors);
  }

  async #createConcise(argv: readonly string[]): Promise<boolean> {
    const sw = this.#sw;
    if (sw.has("table") || sw.has("minor") || sw.has("uuid") || sw.has("notable") || sw.has("inactive")) {
      this.#err("--concise is incompatible with --[no]table, --minor, --uuid and --inactive.");
      return false;
    }
    const input = argv.length > 0 ? argv[0]! : this.#env.stdin;
    let fields: string[] = [""];
    const parsed = (f: string[]) =>
      `Parsed ${f.length} fields: name: ${f[0] ?? "(null)"} uuid: ${f[1] ?? "(null)"} minor: ${f[2] ?? "(null)"} flags: ${f[3] ?? "(null)"} table: ${f[4] ?? "(null)"}`;
    let i = 0;
    const cur = () => fields.length - 1;
    while (i < input.length) {
      const c = input[i]!;
      if (c === "\\") {
        i++;
        if (i >= input.length) {
          this.#err("Backslash must be followed by another character at end of string.");
          this.#err(parsed(fields));
          return false;
        }
        fields[cur()] += input[i]!;
        i++;
        continue;
      }
      if (c === "," && cur() < 4) {
        fields.push("");
        i++;
        while (i < input.length && /[ \t\n\v\f\r]/.test(input[i]!)) i++;
        continue;
      }
      if (c === "," && cur() >= 4) {
        fields[cur()] += "\n";
        i++;
        continue;
      }
      if (c === ";" || i + 1 >= input.length) {
        if (c !== ";") fields[cur()] += c;
        i++;
        if (cur() !== 4) {
          this.#err("Five comma-separated fields are required for each device");
          this.#err(parsed(fields));
          return false;
        }
        const [name, uuid, minor, flags, table] = fields as [string, string, string, string, string];
        if (flags === "ro") sw.set("readonly", 1);
        else if (flags !== "" && flags !== "rw") {
          this.#err(`Invalid flags parameter '${flags}' must be 'ro' or 'rw' or empty.`);
          return false;
        }
        if (minor !== "") {
          this.#err("mp: dmsetup create with a fixed --major/--minor is not modelled.");
          return false;
        }
        if (uuid !== "") {
          sw.set("uuid", 1);
          sw.arg.set("uuid", uuid);
        }
        this.#table = table;
        const ok = await this.#createOne(name, undefined);
        sw.set("uuid", 0);
        sw.set("readonly", 0);
        this.#table = undefined;
        if (!ok) return false;
        fields = [""];
        while (i < input.length && /[ \t\n\v\f\r]/.test(input[i]!)) i++;
        continue;
      }
      fields[cur()] += c;
      i++;
    }
    if (fields.length > 1 || fields[0] !== "") {
      this.#err("Incomplete entry: five comma-separated fields are required for each device");
      this.#err(parsed(fields));
      return false;
    }
    return true;
  }

  async #load(argv: readonly string[]): Promise<boolean> {
    const sw = this.#sw;
    if (sw.has("notable")) {
      this.#err("--notable only available when creating new device.");
      return false;
    }
    let args = [...argv];
    let name: string | undefined;
    if (!sw.has("uuid") && !sw.has("major")) {
      if (args.length === 0) {
        this.#err("Please specify device.");
        return false;
      }
      name = args[0]!;
      args = args.slice(1);
    } else if (args.length > 1) {
      this.#err("Too many command line arguments.");
      return false;
    }
    const t: DmTask = { type: "reload" };
    if (!this.#setDevice(t, name)) return false;
    const table = this.#parseTable(args.length === 1 ? args[0] : undefined);
    if (!table) return false;
    t.targets = table;
    if (sw.has("readonly")) t.readOnly = true;
    const r = await this.#lib.run(t);
    if (!r) return false;
    if (sw.has("verbose"))
      return this.#displayInfo(r.info, r.info.exists ? r.info.name : "", r.info.exists ? r.info.uuid : "");
    return true;
  }

  async #rename(argv: readonly string[]): Promise<boolean> {
    const sw = this.#sw;
    const name = argv.length === 2 ? argv[0] : undefined;
    const target = argv[argv.length - 1]!;
    const t: DmTask = { type: "rename" };
    if (!this.#setDevice(t, name)) return false;
    this.#setCookie(t);
    if (sw.has("setuuid")) {
      if (target.length >= DM_UUID_LEN) {
        this.#err(`New uuid "${target}" too long`);
        return false;
      }
      t.newUuid = target;
    } else {
      if (target.includes("/")) {
        this.#err(`Name "${target}" invalid. It contains "/".`);
        return false;
      }
      if (target.length >= DM_NAME_LEN) {
        this.#err(`Name "${target}" too long`);
        return false;
      }
      if (target === "") {
        this.#err("Non empty new name is required.");
        return false;
      }
      t.newName = target;
    }
    return (await this.#lib.run(t)) !== null;
  }

  async #message(argv: readonly string[]): Promise<boolean> {
    const sw = this.#sw;
    let args = [...argv];
    const t: DmTask = { type: "message" };
    if (sw.has("uuid") || sw.has("major")) {
      if (!this.#setDevice(t, undefined)) return false;
    } else {
      if (!this.#setDevice(t, args[0])) return false;
      args = args.slice(1);
    }
    const sector = cStrtoullStrict(args[0] ?? "");
    if (sector === null) {
      this.#err("Invalid sector.");
      return false;
    }
    t.sector = Number(sector);
    args = args.slice(1);
    if (args.length <= 0) this.#err("No message supplied.");
    t.message = args.join(" ");
    const r = await this.#lib.run(t);
    if (!r) return false;
    const resp = r.response ?? "";
    if (resp !== "") this.#out(resp.endsWith("\n") ? resp : `${resp}\n`);
    return true;
  }

  async #simple(
    type: "suspend" | "resume" | "clear" | "remove",
    name: string | undefined,
    display: boolean,
  ): Promise<boolean> {
    const sw = this.#sw;
    const t: DmTask = { type };
    if (!this.#setDevice(t, name)) return false;
    // dmsetup synchronises resume and remove with udev (`udev_wait_flag`).
    if (type === "resume" || type === "remove") this.#setCookie(t);
    if (sw.has("noflush")) t.noFlush = true;
    if (sw.has("nolockfs")) t.skipLockfs = true;
    if (sw.has("inactive")) t.inactive = true;
    if (sw.has("deferred") && type === "remove") t.deferred = true;
    const r = await this.#lib.run(
      t,
      type === "remove" && sw.has("retry") ? { busyRetries: 24, sleep: (ns) => this.#sleep(ns) } : undefined,
    );
    if (!r) return false;
    if (type === "resume" && r.info.exists) this.#applyReadAhead(r.info.devt);
    if (display && sw.has("verbose")) {
      const i = await this.#lib.run({ type: "info", ...this.#ref(t) });
      if (!i) return false;
      return this.#displayInfo(i.info, i.info.exists ? i.info.name : "", i.info.exists ? i.info.uuid : "");
    }
    return true;
  }

  #sleep: (ns: number) => Promise<void> = () => Promise.resolve();

  setSleep(fn: (ns: number) => Promise<void>): void {
    this.#sleep = fn;
  }

  #ref(t: DmTask): Pick<DmTask, "name" | "uuid" | "major" | "minor"> {
    const r: Pick<DmTask, "name" | "uuid" | "major" | "minor"> = {};
    if (t.name !== undefined) r.name = t.name;
    if (t.uuid !== undefined) r.uuid = t.uuid;
    if (t.major !== undefined) r.major = t.major;
    if (t.minor !== undefined) r.minor = t.minor;
    return r;
  }

  async #wait(argv: readonly string[]): Promise<boolean> {
    const sw = this.#sw;
    let args = [...argv];
    let name: string | undefined;
    if (!sw.has("uuid") && !sw.has("major")) {
      if (args.length === 0) {
        this.#err("No device specified.");
        return false;
      }
      name = args[0];
      args = args.slice(1);
    }
    const eventNr = args.length > 0 ? cAtoi(args[args.length - 1]!) >>> 0 : 0;
    const t: DmTask = { type: "waitevent" };
    if (!this.#setDevice(t, name)) return false;
    const ref =
      t.uuid !== undefined
        ? { uuid: t.uuid }
        : t.name !== undefined
          ? t.name
          : { devt: mkdev(t.major!, t.minor!) };
    const r = await new Promise<{ ok: true; value: DmInfo } | { ok: false; errno: number }>((resolve) => {
      this.#env.dm.waitEvent(ref, eventNr, resolve);
    });
    if (!r.ok) {
      this.#err(
        `device-mapper: waitevent ioctl on ${t.name ?? ""} ${t.uuid ?? ""}${t.major !== undefined ? `(${t.major}:${t.minor})` : ""} failed: ${strerror(r.errno)}`,
      );
      return false;
    }
    if (sw.has("verbose")) return this.#displayInfo({ exists: true, ...r.value }, r.value.name, r.value.uuid);
    return true;
  }

  async #errorDevice(name: string | undefined): Promise<boolean> {
    if (!name) {
      this.#err("No device specified.");
      return false;
    }
    const table = await this.#lib.run({ type: "table", name });
    const size = table?.info.exists ? (table.lines ?? []).reduce((a, l) => a + l.length, 0) : 0;
    const t: DmTask = {
      type: "reload",
      name,
      targets: [{ start: 0, length: size, type: "error", params: "" }],
    };
    if (this.#sw.has("readonly")) t.readOnly = true;
    if (!(await this.#lib.run(t))) return false;
    if (this.#sw.has("force")) {
      this.#sw.set("nolockfs", 1);
      this.#sw.set("noflush", 1);
    }
    if (!(await this.#simple("resume", name, false))) {
      await this.#simple("clear", name, false);
      return false;
    }
    return true;
  }

  async #remove(argv: readonly string[]): Promise<boolean> {
    if (this.#sw.has("force") && argv.length > 0) {
      if (this.#udevCookie) this.#err("WARNING: Use of cookie and --force is not compatible.");
      await this.#errorDevice(argv[0]);
    }
    return this.#simple("remove", argv[0], false);
  }

  async #removeAll(): Promise<boolean> {
    // DM_REMOVE_ALL: the kernel removes every device nobody holds open.
    const removeClosed = () => {
      for (const e of this.#env.dm.list()) this.#env.dm.remove(e.name);
    };
    removeClosed();
    if (!this.#sw.has("force")) return true;
    const left = this.#env.dm.list();
    if (left.length === 0) return true;
    for (const e of left) await this.#errorDevice(e.name);
    removeClosed();
    const still = this.#env.dm.list().length;
    if (still > 0) this.#err(`Unable to remove ${still} device(s).`);
    return true;
  }

  async #info(argv: readonly string[], entry?: { name: string }): Promise<boolean> {
    const sw = this.#sw;
    let name: string | undefined;
    if (entry) name = entry.name;
    else {
      if (argv.length === 0 && !sw.has("uuid") && !sw.has("major")) {
        return this.#processAll(false, (e) => this.#info([], e));
      }
      name = argv[0];
    }
    const t: DmTask = { type: "info" };
    if (!this.#setDevice(t, name)) return false;
    const r = await this.#lib.run(t);
    if (!r) return false;
    return this.#displayInfo(r.info, r.info.exists ? r.info.name : "", r.info.exists ? r.info.uuid : "");
  }

  async #deps(argv: readonly string[], multiple: boolean, entry?: { name: string }): Promise<boolean> {
    const sw = this.#sw;
    let name: string | undefined;
    if (entry) name = entry.name;
    else {
      if (argv.length === 0 && !sw.has("uuid") && !sw.has("major")) {
        return this.#processAll(false, (e) => this.#deps([], true, e));
      }
      name = argv[0];
    }
    const t: DmTask = { type: "deps" };
    if (!this.#setDevice(t, name)) return false;
    if (sw.has("inactive")) t.inactive = true;
    const r = await this.#lib.run(t);
    if (!r) return false;
    if (!r.info.exists) {
      this.#out("Device does not exist.\n");
      return true;
    }
    if (sw.has("verbose")) await this.#displayInfo(r.info, r.info.name, r.info.uuid);
    const deps = r.deps ?? [];
    let s = "";
    if (multiple && !sw.has("verbose")) s += `${name}: `;
    s += `${deps.length} dependencies\t:`;
    for (const d of deps) {
      const n = this.#devNameType === "devno" ? undefined : this.#deviceName(d, this.#devNameType === "blk");
      s += n !== undefined ? ` (${n})` : ` (${devMajor(d)}, ${devMinor(d)})`;
    }
    s += "\n";
    if (multiple && sw.has("verbose")) s += "\n";
    this.#out(s);
    return true;
  }

  async #status(
    cmd: DmsetupCommandDef,
    argv: readonly string[],
    multiple: boolean,
    entry?: { name: string },
  ): Promise<boolean> {
    const sw = this.#sw;
    let name: string | undefined;
    if (entry) name = entry.name;
    else {
      if (argv.length === 0 && !sw.has("uuid") && !sw.has("major")) {
        return this.#processAll(false, (e) => this.#status(cmd, [], true, e));
      }
      name = argv[0];
    }
    const isTable = cmd.name === "table";
    const concise = isTable && sw.has("concise");
    const lsOnly = cmd.name === "ls";
    const t: DmTask = { type: isTable ? "table" : "status" };
    if (cmd.name === "measure") t.ima = true;
    if (!this.#setDevice(t, name)) return false;
    if (sw.has("inactive")) t.inactive = true;
    if (sw.has("noflush")) t.noFlush = true;
    const r = await this.#lib.run(t);
    if (!r) return false;
    if (!r.info.exists) {
      this.#err("Device does not exist.");
      return false;
    }
    const info = r.info;
    const devName = name ?? info.name;
    const lines = r.lines ?? [];
    const target = sw.has("target") ? sw.str("target") : undefined;
    // One pass per target line; a device without a table still gets one (empty) line.
    const entries: Array<(typeof lines)[number] | null> = lines.length > 0 ? [...lines] : [null];
    let matched = false;
    let s = "";
    for (const l of entries) {
      if (target !== undefined && (!l || l.type !== target)) continue;
      if (lsOnly) {
        s += `${devName}\t(${devMajor(info.devt)}, ${devMinor(info.devt)})\n`;
        matched = true;
        break;
      }
      if (!concise) {
        if (!matched && sw.has("verbose")) {
          this.#out(s);
          s = "";
          await this.#displayInfo(info, info.name, info.uuid);
        }
        if (multiple && !sw.has("verbose")) s += `${devName}: `;
      } else if (!matched) {
        if (this.#conciseOutput) s += ";";
        this.#conciseOutput = true;
        s += `${quoteConcise(devName)},${quoteConcise(info.uuid)},${devMinor(info.devt)},${info.readOnly ? "ro" : "rw"}`;
      }
      if (l) {
        if (concise) s += ",";
        s += `${l.start} ${l.length} ${l.type} `;
        s += concise ? quoteConcise(l.params) : l.params;
      }
      if (!concise) s += "\n";
      matched = true;
    }
    if (multiple && sw.has("verbose") && matched && !lsOnly && (!concise || sw.n("verbose") > 1)) s += "\n";
    this.#out(s);
    if (matched && sw.has("exec")) {
      this.#err("mp: dmsetup --exec is not modelled.");
      return false;
    }
    return true;
  }

  async #ls(cmd: DmsetupCommandDef): Promise<boolean> {
    const sw = this.#sw;
    if ((sw.has("target") && sw.str("target") !== undefined) || sw.has("exec")) {
      return this.#status(cmd, [], false);
    }
    if (sw.has("tree")) {
      this.#buildTree(cmd);
      this.#out(drawTree(this.#tree!, this.#treeOpts!, (d) => this.#env.blockName(d)));
      return true;
    }
    return this.#processAll(false, async (e) => {
      const n =
        this.#devNameType === "devno" ? undefined : this.#deviceName(e.devt, this.#devNameType === "blk");
      this.#out(
        n !== undefined ? `${e.name}\t(${n})\n` : `${e.name}\t(${devMajor(e.devt)}:${devMinor(e.devt)})\n`,
      );
      return true;
    });
  }

  async #mangle(argv: readonly string[], entry?: { name: string }): Promise<boolean> {
    const sw = this.#sw;
    let name: string | undefined;
    if (entry) name = entry.name;
    else {
      if (argv.length === 0 && !sw.has("uuid") && !sw.has("major")) {
        return this.#processAll(false, (e) => this.#mangle([], e));
      }
      name = argv[0];
    }
    const t: DmTask = { type: "status" };
    if (!this.#setDevice(t, name)) return false;
    const r = await this.#lib.run(t);
    if (!r?.info.exists) return false;
    const devName = name ?? r.info.name;
    const uuid = r.info.uuid;
    const mode = (sw.str("manglename") ?? "auto").toLowerCase();
    if (mode === "auto") {
      if (devName.includes("\\x5cx")) {
        this.#err(
          `The name "${devName}" seems to be mangled more than once. Manual intervention required to rename the device.`,
        );
        return false;
      }
      if (uuid.includes("\\x5cx")) {
        this.#err(
          `The UUID "${uuid}" seems to be mangled more than once. Manual intervention required to correct the device UUID.`,
        );
        return false;
      }
    }
    const newName = mode === "none" ? unmangleName(devName, false)! : mangleName(devName, false);
    const newUuid = mode === "none" ? unmangleName(uuid, false)! : mangleName(uuid, false);
    if (uuid !== newUuid) {
      this.#err(`${devName}: ${uuid}: UUID in incorrect form. `);
      this.#err("Unable to change device UUID. The device must be deactivated first.");
      return false;
    }
    if (devName === newName) {
      this.#out(
        `${devName}: ${uuid ? uuid : "[no UUID]"}: name ${uuid ? "and UUID " : ""}already in correct form\n`,
      );
      return true;
    }
    this.#out(`${devName}: renaming to ${newName}\n`);
    const rename: DmTask = { type: "rename", name: devName, newName };
    this.#setCookie(rename);
    return (await this.#lib.run(rename)) !== null;
  }

  async #targets(): Promise<boolean> {
    const r = await this.#lib.run({ type: "versions" });
    if (!r) return false;
    for (const v of r.versions ?? []) this.#out(`${v.name.padEnd(16)} v${v.version.join(".")}\n`);
    return true;
  }

  async #targetVersion(argv: readonly string[]): Promise<boolean> {
    const r = await this.#lib.run({ type: "target-version", name: argv[0]! });
    if (!r) return false;
    const v = r.versions![0]!;
    this.#out(`${v.name.padEnd(16)} v${v.version.join(".")}\n`);
    return true;
  }

  async #version(): Promise<boolean> {
    this.#out(`Library version:   ${LIBDM_VERSION}\n`);
    const r = await this.#lib.run({ type: "version" });
    if (!r) return false;
    this.#out(`Driver version:    ${r.driverVersion!.join(".")}\n`);
    this.#report = undefined;
    return true;
  }

  async #mknodes(argv: readonly string[]): Promise<boolean> {
    if (argv.length > 0) {
      const t: DmTask = { type: "mknodes" };
      if (!this.#setName(t, argv[0]!)) return false;
      return (await this.#lib.run(t)) !== null;
    }
    // dm_mknodes(NULL): a node for every device.
    const list = await this.#lib.run({ type: "names" });
    if (!list) return false;
    let ok = true;
    for (const e of list.names ?? []) {
      if (!(await this.#lib.run({ type: "mknodes", name: e.name }))) ok = false;
    }
    return ok;
  }

  #udevflags(argv: readonly string[]): boolean {
    const cookie = this.#cookieValue(argv[0]!);
    if (!cookie) return false;
    const names = [
      "DISABLE_DM_RULES",
      "DISABLE_SUBSYSTEM_RULES",
      "DISABLE_DISK_RULES",
      "DISABLE_OTHER_RULES",
      "LOW_PRIORITY",
      "DISABLE_LIBRARY_FALLBACK",
      "PRIMARY_SOURCE",
    ];
    const flags = cookie >>> 16;
    let s = "";
    for (let i = 0; i < 16; i++) {
      if (!((1 << i) & flags)) continue;
      if (i < 8 && names[i]) s += `DM_UDEV_${names[i]}_FLAG='1'\n`;
      else if (i < 8) s += `DM_UDEV_FLAG${i}='1'\n`;
      else s += `DM_SUBSYSTEM_UDEV_FLAG${i - 8}='1'\n`;
    }
    this.#out(s);
    return true;
  }

  #udevcomplete(argv: readonly string[]): boolean {
    const cookie = this.#cookieValue(argv[0]!);
    if (!cookie) return false;
    this.#out(`DM_COOKIE_COMPLETED=0x${cookie.toString(16).padEnd(10)}\n`);
    // The model keeps no udev notification semaphores: nothing waits on this cookie.
    return true;
  }

  #udevcompleteAll(argv: readonly string[]): boolean {
    let age = 0;
    if (argv.length === 1) {
      const m = /^[ \t\n\v\f\r]*\+?([0-9]+)/.exec(argv[0]!);
      if (!m) {
        this.#err("Failed to read age_in_minutes parameter.");
        return false;
      }
      age = Number(m[1]);
    }
    const magic = `${DM_COOKIE_MAGIC} (0x${DM_COOKIE_MAGIC.toString(16)})`;
    if (!this.#sw.has("yes")) {
      this.#err(
        `WARNING: This operation will destroy all semaphores ${age ? "older than " : ""}${age ? age : ""}${age ? " minutes " : ""}with keys that have a prefix ${magic}.`,
      );
      // stdin is /dev/null: the prompt reads EOF, which answers 'n'.
      this.#out("Do you really want to continue? [y/n]: \n");
      this.#out(`Semaphores with keys prefixed by ${magic} NOT destroyed.\n`);
      return true;
    }
    this.#out(`0 semaphores with keys prefixed by ${magic} destroyed. 0 skipped.\n`);
    return true;
  }

  #splitname(argv: readonly string[]): boolean {
    const split = splitName(argv.length === 2 ? argv[1]! : "LVM", argv[0]!, "");
    if (this.#reportSuppressed || !this.#report) return true;
    this.#report.addRow({
      name: argv[0]!,
      uuid: "",
      info: {
        name: argv[0]!,
        uuid: "",
        devt: 0,
        suspended: false,
        readOnly: false,
        liveTable: false,
        inactiveTable: false,
        openCount: 0,
        eventNr: 0,
        targetCount: 0,
        deferredRemove: false,
        internalSuspend: false,
      },
      readAhead: () => 0,
      blockName: () => undefined,
      fail: (msg) => this.#err(msg),
      split,
    });
    return true;
  }

  async #help(): Promise<boolean> {
    this.#usage();
    if (this.#sw.has("columns")) {
      this.#sw.set("options", 1);
      this.#sw.arg.set("options", "help");
      this.#io.stderr(`${fieldHelpLines().join("\n")}\n \n`);
      this.#report = undefined;
    }
    return true;
  }

  /** Runs the command once for one device argument (or none). */
  async #runCommand(cmd: DmsetupCommandDef, argv: readonly string[], multiple: boolean): Promise<boolean> {
    switch (cmd.name) {
      case "help":
        return this.#help();
      case "create":
        return this.#create(argv);
      case "remove":
        return this.#remove(argv);
      case "remove_all":
        return this.#removeAll();
      case "suspend":
      case "resume":
      case "clear":
        return this.#simple(cmd.name, argv[0], true);
      case "load":
      case "reload":
        return this.#load(argv);
      case "wipe_table":
        return this.#errorDevice(argv[0]);
      case "rename":
        return this.#rename(argv);
      case "measure":
      case "status":
      case "table":
        return this.#status(cmd, argv, multiple);
      case "message":
        return this.#message(argv);
      case "ls":
        return this.#ls(cmd);
      case "info":
        return this.#info(argv);
      case "deps":
        return this.#deps(argv, multiple);
      case "wait":
        return this.#wait(argv);
      case "mknodes":
        return this.#mknodes(argv);
      case "mangle":
        return this.#mangle(argv);
      case "udevcreatecookie":
        // Without udev notification semaphores libdm hands out no cookie and prints nothing.
        return true;
      case "udevreleasecookie": {
        if (argv[0] !== undefined) {
          this.#udevCookie = this.#cookieValue(argv[0]);
          if (!this.#udevCookie) return false;
        }
        if (!this.#udevCookie) {
          this.#err("No udev transaction cookie given.");
          return false;
        }
        return true;
      }
      case "udevflags":
        return this.#udevflags(argv);
      case "udevcomplete":
        return this.#udevcomplete(argv);
      case "udevcomplete_all":
        return this.#udevcompleteAll(argv);
      case "udevcookies":
        this.#out("Cookie       Semid      Value      Last semop time           Last change time\n");
        return true;
      case "target-version":
        return this.#targetVersion(argv);
      case "targets":
        return this.#targets();
      case "version":
        return this.#version();
      case "setgeometry":
        this.#err("mp: dmsetup setgeometry is not modelled (the model keeps no disk geometry).");
        return false;
      case "splitname":
        return this.#splitname(argv);
      case "stats":
        this.#err("mp: dmsetup stats is not modelled.");
        return false;
      default:
        this.#err("Unknown command.");
        return false;
    }
  }

  async main(args: readonly string[]): Promise<number> {
    const sw = this.#sw;
    const p = this.#processSwitches(args);
    if (!p.ok) {
      this.#err("Couldn't process command line.");
      return 1;
    }
    const mangling = (sw.str("manglename") ?? "auto").toLowerCase();
    this.#lib.mangling = mangling === "none" || mangling === "hex" ? mangling : "auto";
    if (sw.has("noudevsync")) this.#lib.syncWithUdev = false;
    let operands = p.operands;
    let command: string | undefined;
    if (operands.length > 0) {
      command = operands[0];
      operands = operands.slice(1);
    }
    let cmd: DmsetupCommandDef | undefined;
    const find = (n: string) => DMSETUP_COMMANDS.find((c) => c.name === n);
    let skipChecks = false;
    if (sw.has("help")) {
      cmd = find("help")!;
      skipChecks = true;
    } else if (sw.has("version")) {
      cmd = find("version")!;
      skipChecks = true;
    }
    if (!skipChecks) {
      if (command === undefined) {
        this.#usage();
        return 1;
      }
      cmd = find(command);
      if (!cmd) {
        this.#err("Unknown command.");
        this.#usage();
        return 1;
      }
      if (operands.length < cmd.minArgs || (cmd.maxArgs >= 0 && operands.length > cmd.maxArgs)) {
        this.#err("Incorrect number of arguments.");
        this.#usage();
        return 1;
      }
      if (!sw.has("columns") && cmd.name === "splitname") sw.inc("columns");
      if (!this.#processOptions()) {
        this.#err("Couldn't process command line.");
        return 1;
      }
      if (cmd.hasSubcommands) operands = operands.slice(1);
      // `mangle` works on the names as the kernel has them.
      if (cmd.name === "mangle") this.#lib.mangling = "none";
      if (sw.has("select") && cmd.repeatable === 2) {
        this.#err("mp: dmsetup --select is not modelled.");
        return 1;
      }
      if (sw.has("columns") && cmd.name !== "help") {
        if (!this.#reportInit(cmd)) return 1;
      }
    }
    const c = cmd!;
    const multiple =
      c.repeatable !== 0 &&
      operands.length !== 1 &&
      (operands.length > 0 || (!sw.has("uuid") && !sw.has("major")));
    let ok = true;
    let rest = operands;
    for (;;) {
      if (!(await this.#runCommand(c, rest, multiple))) {
        this.#err("Command failed.");
        ok = false;
        break;
      }
      if (c.repeatable === 0 || rest.length <= 1) break;
      rest = rest.slice(1);
    }
    if (this.#conciseOutput) {
      this.#out("\n");
      this.#io.flush();
    }
    if (this.#report && !this.#report.empty) this.#out(this.#report.render());
    if (sw.has("help") || sw.has("version")) return 0;
    return ok ? 0 : 1;
  }
}

const C_SPACE_RE = /[ \t\n\v\f\r]/;

/**
 * `sscanf(line, "%llu %llu %s %n")` then the rest up to a `#` comment: one table line, or null
 * when it does not start with two numbers and a target type.
 */
export function scanTableLine(line: string): DmTableLine | null {
  let i = 0;
  const skipSpace = () => {
    while (i < line.length && C_SPACE_RE.test(line[i]!)) i++;
  };
  const number = (): bigint | null => {
    const r = cStrto(line.slice(i), 10);
    if (!r.any) return null;
    i += r.end;
    return r.value;
  };
  const start = number();
  if (start === null) return null;
  skipSpace();
  const size = number();
  if (size === null) return null;
  skipSpace();
  const t0 = i;
  while (i < line.length && !C_SPACE_RE.test(line[i]!)) i++;
  if (i === t0) return null;
  const type = line.slice(t0, i);
  skipSpace();
  let params = line.slice(i);
  const hash = params.indexOf("#");
  if (hash >= 0) params = params.slice(0, hash);
  return { start: Number(start), length: Number(size), type, params };
}

/** Quotes `,` `;` and `\` with a backslash, as the concise table format requires. */
function quoteConcise(s: string): string {
  return s.replace(/[,;\\]/g, (c) => `\\${c}`);
}

/** Runs `dmsetup ARGS…` (`argv[0]` is the program name). Returns the exit status. */
export async function dmsetupMain(
  argv: readonly string[],
  io: ProcessIo,
  env: DmsetupEnv,
  sleep: (ns: number) => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const d = new Dmsetup(io, env);
  d.setSleep(sleep);
  return d.main(argv.slice(1));
}
