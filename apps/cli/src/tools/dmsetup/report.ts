import type { DevT, DmInfo } from "@mp/dm-core";
import { devMajor, devMinor } from "@mp/dm-core";
import { mangleName } from "./libdm.js";
import type { TreeNode } from "./tree.js";

/**
 * dmsetup's column reports (`info -c`, `splitname`), after libdevmapper's report engine: fields
 * chosen with `-o`, headings, alignment (strings left, numbers right, widths grown to the data),
 * `--noheadings` (`:`-separated, unaligned), `--separator`, `--nameprefixes`, `-O` sort keys.
 */

/** The object types a field reads (libdm report types). */
export type ReportType = "task" | "info" | "deps" | "tree" | "name" | "stats" | "stats_meta" | "special";

/** One row's data. */
export interface ReportObject {
  readonly name: string;
  readonly uuid: string;
  readonly info: DmInfo;
  /** `BLKRAGET` through the device node (0 when the node cannot be opened, after a message). */
  readAhead(): number;
  /** Kernel name of a device (`dm-0`, `loop1`), when sysfs knows it. */
  blockName(devt: DevT): string | undefined;
  /** Logs an error of a field's report function. */
  fail(message: string): void;
  /** The table's dependencies (for `deps` fields). */
  readonly deps?: readonly DevT[];
  /** The device's node in the dependency tree (for `tree` fields). */
  readonly tree?: TreeNode;
  /** `splitname` components. */
  readonly split?: SplitName;
}

/** The components `splitname` and the `name` fields show. */
export interface SplitName {
  readonly subsystem: string;
  readonly vgName: string;
  readonly lvName: string;
  readonly lvLayer: string;
}

interface FieldDef {
  readonly id: string;
  readonly heading: string;
  readonly width: number;
  readonly type: ReportType;
  readonly number: boolean;
  readonly desc: string;
  /** The field's text; undefined for fields the model does not report (statistics). */
  readonly get?: (o: ReportObject) => { text: string; sort: number | string } | null;
}

const str = (text: string) => ({ text, sort: text });
const num = (n: number) => ({ text: String(n), sort: n });

function devno(d: DevT): string {
  return `${devMajor(d)}:${devMinor(d)}`;
}

/** `dm_device_get_name(…, prefer_kernel_name)`, failing as libdm does when sysfs has no entry. */
function blkName(o: ReportObject, devt: DevT): { text: string; sort: string } | null {
  const n = o.blockName(devt);
  if (n === undefined) {
    o.fail(`Could not resolve block device name for ${devMajor(devt)}:${devMinor(devt)}.`);
    return null;
  }
  return str(n);
}

function treeNames(node: TreeNode | undefined, inverted: boolean): string {
  if (!node) return "";
  const list = inverted ? node.usedBy : node.uses;
  return list
    .filter((n) => n.name !== "")
    .map((n) => n.name)
    .join(",");
}

/** The report fields, in libdm's order (the order `help -c` lists them). */
const FIELDS: readonly FieldDef[] = [
  {
    id: "name",
    heading: "Name",
    width: 16,
    type: "task",
    number: false,
    desc: "Name of mapped device.",
    get: (o) => str(o.name),
  },
  {
    id: "mangled_name",
    heading: "MangledName",
    width: 16,
    type: "task",
    number: false,
    desc: "Mangled name of mapped device.",
    get: (o) => str(mangleName(o.name, false)),
  },
  {
    id: "unmangled_name",
    heading: "UnmangledName",
    width: 16,
    type: "task",
    number: false,
    desc: "Unmangled name of mapped device.",
    get: (o) => str(o.name),
  },
  {
    id: "uuid",
    heading: "UUID",
    width: 32,
    type: "task",
    number: false,
    desc: "Unique (optional) identifier for mapped device.",
    get: (o) => str(o.uuid),
  },
  {
    id: "mangled_uuid",
    heading: "MangledUUID",
    width: 32,
    type: "task",
    number: false,
    desc: "Mangled unique (optional) identifier for mapped device.",
    get: (o) => str(mangleName(o.uuid, false)),
  },
  {
    id: "unmangled_uuid",
    heading: "UnmangledUUID",
    width: 32,
    type: "task",
    number: false,
    desc: "Unmangled unique (optional) identifier for mapped device.",
    get: (o) => str(o.uuid),
  },
  {
    id: "read_ahead",
    heading: "RAhead",
    width: 6,
    type: "task",
    number: true,
    desc: "Read ahead value.",
    get: (o) => num(o.readAhead()),
  },
  {
    id: "blkdevname",
    heading: "BlkDevName",
    width: 16,
    type: "info",
    number: false,
    desc: "Name of block device.",
    get: (o) => blkName(o, o.info.devt),
  },
  {
    id: "attr",
    heading: "Stat",
    width: 4,
    type: "info",
    number: false,
    desc: "(L)ive, (I)nactive, (s)uspended, (r)ead-only, read-(w)rite.",
    get: (o) =>
      str(
        (o.info.liveTable ? "L" : "-") +
          (o.info.inactiveTable ? "I" : "-") +
          (o.info.suspended ? "s" : "-") +
          (o.info.readOnly ? "r" : "w"),
      ),
  },
  {
    id: "tables_loaded",
    heading: "Tables",
    width: 6,
    type: "info",
    number: false,
    desc: "Which of the live and inactive table slots are filled.",
    get: (o) =>
      str(
        o.info.liveTable
          ? o.info.inactiveTable
            ? "Both"
            : "Live"
          : o.info.inactiveTable
            ? "Inactive"
            : "None",
      ),
  },
  {
    id: "suspended",
    heading: "Suspended",
    width: 9,
    type: "info",
    number: false,
    desc: "Whether the device is suspended.",
    get: (o) => str(o.info.suspended ? "Suspended" : "Active"),
  },
  {
    id: "readonly",
    heading: "Read-only",
    width: 9,
    type: "info",
    number: false,
    desc: "Whether the device is read-only or writeable.",
    get: (o) => str(o.info.readOnly ? "Read-only" : "Writeable"),
  },
  {
    id: "devno",
    heading: "DevNo",
    width: 5,
    type: "info",
    number: false,
    desc: "Device major and minor numbers",
    get: (o) => str(devno(o.info.devt)),
  },
  {
    id: "major",
    heading: "Maj",
    width: 3,
    type: "info",
    number: true,
    desc: "Block device major number.",
    get: (o) => num(devMajor(o.info.devt)),
  },
  {
    id: "minor",
    heading: "Min",
    width: 3,
    type: "info",
    number: true,
    desc: "Block device minor number.",
    get: (o) => num(devMinor(o.info.devt)),
  },
  {
    id: "open",
    heading: "Open",
    width: 4,
    type: "info",
    number: true,
    desc: "Number of references to open device, if requested.",
    get: (o) => num(o.info.openCount),
  },
  {
    id: "segments",
    heading: "Targ",
    width: 4,
    type: "info",
    number: true,
    desc: "Number of segments in live table, if present.",
    get: (o) => num(o.info.targetCount),
  },
  {
    id: "events",
    heading: "Event",
    width: 6,
    type: "info",
    number: true,
    desc: "Number of most recent event.",
    get: (o) => num(o.info.eventNr),
  },
  {
    id: "device_count",
    heading: "#Devs",
    width: 5,
    type: "deps",
    number: true,
    desc: "Number of devices used by this one.",
    get: (o) => num(o.deps?.length ?? 0),
  },
  {
    id: "devs_used",
    heading: "DevNamesUsed",
    width: 16,
    type: "tree",
    number: false,
    desc: "List of names of mapped devices used by this one.",
    get: (o) => str(treeNames(o.tree, false)),
  },
  {
    id: "devnos_used",
    heading: "DevNosUsed",
    width: 16,
    type: "deps",
    number: false,
    desc: "List of device numbers of devices used by this one.",
    get: (o) => str((o.deps ?? []).map(devno).join(",")),
  },
  {
    id: "blkdevs_used",
    heading: "BlkDevNamesUsed",
    width: 16,
    type: "deps",
    number: false,
    desc: "List of names of block devices used by this one.",
    get: (o) => {
      const names: string[] = [];
      for (const d of o.deps ?? []) {
        const n = blkName(o, d);
        if (!n) return null;
        names.push(n.text);
      }
      return str(names.join(","));
    },
  },
  {
    id: "device_ref_count",
    heading: "#Refs",
    width: 5,
    type: "tree",
    number: true,
    desc: "Number of mapped devices referencing this one.",
    get: (o) => num(o.tree && !o.tree.usedBy.some((n) => n.root) ? o.tree.usedBy.length : 0),
  },
  {
    id: "names_using_dev",
    heading: "RefNames",
    width: 8,
    type: "tree",
    number: false,
    desc: "List of names of mapped devices using this one.",
    get: (o) => str(treeNames(o.tree, true)),
  },
  {
    id: "devnos_using_dev",
    heading: "RefDevNos",
    width: 9,
    type: "tree",
    number: false,
    desc: "List of device numbers of mapped devices using this one.",
    get: (o) =>
      str(
        (o.tree?.usedBy ?? [])
          .filter((n) => !n.root)
          .map((n) => devno(n.devt))
          .join(","),
      ),
  },
  {
    id: "subsystem",
    heading: "Subsys",
    width: 6,
    type: "name",
    number: false,
    desc: "Userspace subsystem responsible for this device.",
    get: (o) => str(o.split?.subsystem ?? ""),
  },
  {
    id: "vg_name",
    heading: "VG",
    width: 4,
    type: "name",
    number: false,
    desc: "LVM Volume Group name.",
    get: (o) => str(o.split?.vgName ?? ""),
  },
  {
    id: "lv_name",
    heading: "LV",
    width: 4,
    type: "name",
    number: false,
    desc: "LVM Logical Volume name.",
    get: (o) => str(o.split?.lvName ?? ""),
  },
  {
    id: "lv_layer",
    heading: "LVLayer",
    width: 7,
    type: "name",
    number: false,
    desc: "LVM device layer.",
    get: (o) => str(o.split?.lvLayer ?? ""),
  },
  ...(
    [
      ["read_count", "#Reads", 6, "Count of reads completed."],
      ["reads_merged_count", "#RdMrgs", 7, "Count of read requests merged."],
      ["read_sector_count", "#RdSectors", 10, "Count of sectors read."],
      ["read_time", "AccRdTime", 11, "Accumulated duration of all read requests (ns)."],
      ["write_count", "#Writes", 7, "Count of writes completed."],
      ["writes_merged_count", "#WrMrgs", 7, "Count of write requests merged."],
      ["write_sector_count", "#WrSectors", 10, "Count of sectors written."],
      ["write_time", "AccWrTime", 11, "Accumulated duration of all writes (ns)."],
      ["in_progress_count", "#InProg", 7, "Count of requests currently in progress."],
      ["io_ticks", "IoTicks", 7, "Nanoseconds spent servicing requests."],
      ["queue_ticks", "QueueTicks", 10, "Total nanoseconds spent in queue."],
      ["read_ticks", "RdTicks", 7, "Nanoseconds spent servicing reads."],
      ["write_ticks", "WrTicks", 7, "Nanoseconds spent servicing writes."],
      ["reads_merged_per_sec", "RMrg/s", 6, "Read requests merged per second."],
      ["writes_merged_per_sec", "WMrg/s", 6, "Write requests merged per second."],
      ["reads_per_sec", "R/s", 3, "Reads per second."],
      ["writes_per_sec", "W/s", 3, "Writes per second."],
      ["read_size_per_sec", "RSz/s", 5, "Size of data read per second."],
      ["write_size_per_sec", "WSz/s", 5, "Size of data written per second."],
      ["avg_request_size", "AvgRqSz", 7, "Average request size."],
      ["queue_size", "QSize", 5, "Average queue size."],
      ["await", "AWait", 5, "Averate wait time."],
      ["read_await", "RdAWait", 7, "Averate read wait time."],
      ["write_await", "WrAWait", 7, "Averate write wait time."],
      ["throughput", "Throughput", 10, "Throughput."],
      ["service_time", "SvcTm", 5, "Service time."],
      ["util", "Util%", 5, "Utilization."],
      ["hist_count", "Histogram Counts", 16, "Latency histogram counts."],
      ["hist_count_bounds", "Histogram Counts", 16, "Latency histogram counts with bin boundaries."],
      ["hist_count_ranges", "Histogram Counts", 16, "Latency histogram counts with bin ranges."],
      ["hist_percent", "Histogram%", 10, "Relative latency histogram."],
      ["hist_percent_bounds", "Histogram%", 10, "Relative latency histogram with bin boundaries."],
      ["hist_percent_ranges", "Histogram%", 10, "Relative latency histogram with bin ranges."],
      ["interval_ns", "IntervalNs", 10, "Sampling interval in nanoseconds."],
      ["interval", "Interval", 8, "Sampling interval."],
    ] as const
  ).map(
    ([id, heading, width, desc]): FieldDef => ({ id, heading, width, type: "stats", number: true, desc }),
  ),
  ...(
    [
      ["region_id", "RgID", 4, "Region ID."],
      ["region_start", "RgStart", 7, "Region start."],
      ["region_len", "RgSize", 6, "Region length."],
      ["area_id", "ArID", 4, "Area ID."],
      ["area_start", "ArStart", 7, "Area offset from start of device."],
      ["area_len", "ArSize", 6, "Area length."],
      ["area_offset", "ArOff", 5, "Area offset from start of region."],
      ["area_count", "#Areas", 6, "Area count."],
      ["group_id", "GrpID", 5, "Group ID."],
      ["program_id", "ProgID", 6, "Program ID."],
      ["user_data", "UserData", 8, "Auxiliary data."],
      ["precise", "Precise", 7, "Set if nanosecond precision counters are enabled."],
      ["hist_bins", "#Bins", 9, "The number of histogram bins configured."],
      ["hist_bounds", "Histogram Bounds", 16, "Latency histogram bin boundaries."],
      ["hist_ranges", "Histogram Ranges", 16, "Latency histogram bin ranges."],
      ["stats_name", "Name", 16, "Stats name of current object."],
      ["obj_type", "ObjType", 7, "Type of stats object being reported."],
    ] as const
  ).map(
    ([id, heading, width, desc]): FieldDef => ({
      id,
      heading,
      width,
      type: "stats_meta",
      number: true,
      desc,
    }),
  ),
];

/** libdm's implicit fields. */
const SPECIAL_FIELDS: readonly FieldDef[] = [
  {
    id: "selected",
    heading: "Selected",
    width: 8,
    type: "special",
    number: true,
    desc: "Set if item passes selection criteria.",
    get: () => num(1),
  },
  { id: "help", heading: "Help", width: 8, type: "special", number: true, desc: "Show help." },
  { id: "?", heading: "Help", width: 8, type: "special", number: true, desc: "Show help." },
];

/** Report types in libdm's order, with their description (`help -c` section titles) and prefix. */
const TYPES: ReadonlyArray<{ type: ReportType; desc: string; prefix: string }> = [
  { type: "task", desc: "Mapped Device Name", prefix: "name_" },
  { type: "info", desc: "Mapped Device Information", prefix: "info_" },
  { type: "deps", desc: "Mapped Device Relationship Information", prefix: "deps_" },
  { type: "tree", desc: "Mapped Device Relationship Information", prefix: "tree_" },
  { type: "name", desc: "Mapped Device Name Components", prefix: "splitname_" },
  { type: "stats", desc: "Mapped Device Statistics", prefix: "stats_" },
  { type: "stats_meta", desc: "Mapped Device Statistics Region Information", prefix: "region_" },
];

/** The field list libdm prints for `-o help` (and before "Unrecognised field"), line by line. */
export function fieldHelpLines(): string[] {
  const idLen = Math.max(
    ...[...FIELDS, ...SPECIAL_FIELDS].map((f) => f.id.length),
    ...TYPES.map((t) => t.prefix.length + 3),
  );
  const out: string[] = [];
  const section = (
    fields: readonly FieldDef[],
    descOf: (f: FieldDef) => string,
    prefixOf: (f: FieldDef) => string | null,
  ) => {
    let last = "";
    for (const f of fields) {
      const desc = descOf(f);
      if (desc !== last) {
        if (last !== "") out.push(" ");
        out.push(`${desc} Fields`);
        out.push("-".repeat(desc.length + 7));
        const prefix = prefixOf(f);
        if (prefix !== null)
          out.push(`  ${prefix}all${" ".repeat(idLen - 3 - prefix.length)} - All fields in this section.`);
      }
      out.push(`  ${f.id.padEnd(idLen)} - ${f.desc}`);
      last = desc;
    }
  };
  const typeOf = (f: FieldDef) => TYPES.find((t) => t.type === f.type)!;
  section(
    FIELDS,
    (f) => typeOf(f).desc,
    (f) => typeOf(f).prefix,
  );
  out.push(" ");
  section(
    SPECIAL_FIELDS,
    () => "Special",
    () => null,
  );
  return out;
}

function canonical(s: string): string {
  return s.replace(/_/g, "").toLowerCase();
}

/** A parsed `-o` list. */
export type FieldSelection =
  | { readonly ok: true; readonly fields: readonly FieldDef[]; readonly help: boolean }
  | { readonly ok: false; readonly badField: string };

function lookupField(word: string): FieldDef[] | null {
  const c = canonical(word);
  for (const f of SPECIAL_FIELDS) if (canonical(f.id) === c) return [f];
  for (const f of FIELDS) if (canonical(f.id) === c) return [f];
  if (c === "all") return FIELDS.filter((f) => f.type !== "stats" && f.type !== "stats_meta");
  const types = TYPES.filter((t) => canonical(`${t.prefix}all`) === c).map((t) => t.type);
  if (types.length > 0) return FIELDS.filter((f) => types.includes(f.type));
  return null;
}

/** Parses a comma-separated field list (consecutive commas allowed). */
export function parseFields(spec: string): FieldSelection {
  const fields: FieldDef[] = [];
  let help = false;
  for (const word of spec.split(",")) {
    if (word === "") continue;
    const found = lookupField(word);
    if (!found) return { ok: false, badField: word };
    for (const f of found) {
      if (f.id === "help" || f.id === "?") help = true;
      else fields.push(f);
    }
  }
  return { ok: true, fields, help };
}

/** Report types a field list needs (deps and tree data are fetched only when asked for). */
export function neededTypes(fields: readonly FieldDef[]): Set<ReportType> {
  return new Set(fields.map((f) => f.type));
}

/** Output options of a report. */
export interface ReportOptions {
  readonly aligned: boolean;
  readonly headings: boolean;
  readonly separator: string;
  readonly namePrefixes: boolean;
  readonly quoted: boolean;
  /** `--rows`: one output line per field (unaligned). */
  readonly rows: boolean;
  /** Sort keys: field and direction. */
  readonly sortKeys: ReadonlyArray<{ field: FieldDef; descending: boolean }>;
}

/** A sort key list (`-O name,-events`); returns the bad key on error. */
export function parseSortKeys(
  spec: string,
): { ok: true; keys: Array<{ field: FieldDef; descending: boolean }> } | { ok: false; badField: string } {
  const keys: Array<{ field: FieldDef; descending: boolean }> = [];
  for (const word of spec.split(",")) {
    if (word === "") continue;
    let w = word;
    let descending = false;
    if (w.startsWith("+")) w = w.slice(1);
    else if (w.startsWith("-")) {
      w = w.slice(1);
      descending = true;
    }
    const f = lookupField(w);
    if (f?.length !== 1) return { ok: false, badField: w };
    keys.push({ field: f[0]!, descending });
  }
  return { ok: true, keys };
}

interface Cell {
  readonly text: string;
  readonly sort: number | string;
}

/** Collects rows, then prints headings and rows as libdm does at the end of the command. */
export class Report {
  readonly #fields: readonly FieldDef[];
  readonly #opts: ReportOptions;
  readonly #rows: Cell[][] = [];
  readonly #sortCells: Cell[][] = [];

  constructor(fields: readonly FieldDef[], opts: ReportOptions) {
    this.#fields = fields;
    this.#opts = opts;
  }

  /** True when a field has no data in the model (statistics): the command must refuse it. */
  static unsupported(fields: readonly FieldDef[]): FieldDef | undefined {
    return fields.find((f) => !f.get);
  }

  get empty(): boolean {
    return this.#rows.length === 0;
  }

  /** Adds a row; false (after logging which field failed) when a field cannot be reported. */
  addRow(o: ReportObject): boolean {
    const cells: Cell[] = [];
    for (const f of [...this.#fields, ...this.#opts.sortKeys.map((k) => k.field)]) {
      const c = f.get!(o);
      if (!c) {
        o.fail(`_do_report_object: report function failed for field ${f.id}`);
        return false;
      }
      cells.push(c);
    }
    this.#rows.push(cells.slice(0, this.#fields.length));
    this.#sortCells.push(cells.slice(this.#fields.length));
    return true;
  }

  /** The report text: headings (when any row exists) and rows. */
  render(): string {
    if (this.#rows.length === 0) return "";
    const o = this.#opts;
    const order = this.#rows.map((_, i) => i);
    if (o.sortKeys.length > 0) {
      order.sort((a, b) => {
        for (let k = 0; k < o.sortKeys.length; k++) {
          const x = this.#sortCells[a]![k]!.sort;
          const y = this.#sortCells[b]![k]!.sort;
          const c = x < y ? -1 : x > y ? 1 : 0;
          if (c !== 0) return o.sortKeys[k]!.descending ? -c : c;
        }
        return 0;
      });
    }
    if (o.rows) {
      // Columns as rows: the heading, then the field of every row (never aligned).
      let out = "";
      this.#fields.forEach((f, i) => {
        const cells = order.map((r) => this.#rows[r]![i]!.text);
        out += `${o.headings ? `${f.heading}${o.separator}` : ""}${cells.join(o.separator)}\n`;
      });
      return out;
    }
    const widths = this.#fields.map((f, i) => Math.max(f.width, ...this.#rows.map((r) => r[i]!.text.length)));
    let out = "";
    if (o.headings) {
      out += `${this.#fields
        .map((f, i) => (o.aligned ? f.heading.slice(0, widths[i]).padEnd(widths[i]!) : f.heading))
        .join(o.separator)}\n`;
    }
    for (const r of order) {
      const row = this.#rows[r]!;
      out += `${this.#fields
        .map((f, i) => {
          const t = row[i]!.text;
          if (o.namePrefixes) {
            const q = o.quoted ? "'" : "";
            return `DM_${f.id.toUpperCase()}=${q}${t}${q}`;
          }
          if (!o.aligned) return t;
          return f.number ? t.padStart(widths[i]!) : t.padEnd(widths[i]!);
        })
        .join(o.separator)}\n`;
    }
    return out;
  }
}

/** The default `info -c` fields. */
export const DEFAULT_INFO_FIELDS = "name,major,minor,attr,open,segments,events,uuid";
/** The default `splitname` fields. */
export const DEFAULT_SPLITNAME_FIELDS = "vg_name,lv_name,lv_layer";
