/**
 * Reading multipathd's own output into dashboard records: `show maps json` (the topology),
 * `show maps raw format` and `show paths raw format` (what the JSON leaves out: sizes, SCSI
 * addresses, checker countdowns, failure counts). Works the same against the embedded daemon and
 * a real multipathd 0.9.4.
 */

import { ShowParseError } from "../errors.js";
import {
  type DmPathStateName,
  type GroupStatusName,
  type GroupView,
  type MapView,
  type PathView,
  parseQueueing,
} from "./model.js";

/** The map fields asked for with `show maps raw format`, in order. */
export const MAPS_RAW_FIELDS = ["%w", "%S"] as const;
/** `show maps raw format "…"`. */
export const MAPS_RAW_COMMAND = `show maps raw format "${MAPS_RAW_FIELDS.join("|")}"`;

/** The path fields asked for with `show paths raw format`, in order. */
export const PATHS_RAW_FIELDS = [
  "%d",
  "%D",
  "%i",
  "%t",
  "%T",
  "%o",
  "%p",
  "%0",
  "%m",
  "%c",
  "%M",
  "%C",
] as const;
/** `show paths raw format "…"`. */
export const PATHS_RAW_COMMAND = `show paths raw format "${PATHS_RAW_FIELDS.join("|")}"`;

/** `show maps json`. */
export const MAPS_JSON_COMMAND = "show maps json";

interface JsonPath {
  dev: string;
  dev_t: string;
  dm_st: string;
  dev_st: string;
  chk_st: string;
  checker: string;
  pri: number;
  marginal_st: string;
}

interface JsonGroup {
  selector: string;
  pri: number;
  dm_st: string;
  marginal_st: string;
  group: number;
  paths: JsonPath[];
}

interface JsonMap {
  name: string;
  uuid: string;
  sysfs: string;
  failback: string;
  queueing: string;
  paths: number;
  write_prot: string;
  dm_st: string;
  features: string;
  hwhandler: string;
  path_faults: number;
  vend: string;
  prod: string;
  rev: string;
  switch_grp: number;
  path_groups: JsonGroup[];
}

/**
 * multipathd prints JSON values without escaping them; a value holding `"` or `\` would break
 * `JSON.parse`, so backslashes are doubled first (no value multipathd prints has a real escape).
 */
function lenientJson(text: string): unknown {
  return JSON.parse(text.replace(/\\/g, "\\\\"));
}

function str(o: Record<string, unknown>, k: string, cmd: string): string {
  const v = o[k];
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new ShowParseError(cmd, `field "${k}" missing`);
}

function num(o: Record<string, unknown>, k: string, cmd: string): number {
  const v = o[k];
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new ShowParseError(cmd, `field "${k}" is not a number`);
}

function arr(o: Record<string, unknown>, k: string, cmd: string): Record<string, unknown>[] {
  const v = o[k];
  if (Array.isArray(v)) return v as Record<string, unknown>[];
  throw new ShowParseError(cmd, `field "${k}" is not a list`);
}

/** Parses `show maps json` (schema 0.1). */
export function parseMapsJson(text: string): JsonMap[] {
  const cmd = MAPS_JSON_COMMAND;
  let root: unknown;
  try {
    root = lenientJson(text);
  } catch (e) {
    throw new ShowParseError(
      cmd,
      `not JSON (${e instanceof Error ? e.message : String(e)}): ${text.slice(0, 60)}`,
    );
  }
  if (typeof root !== "object" || root === null) throw new ShowParseError(cmd, "not an object");
  const r = root as Record<string, unknown>;
  if (r.major_version !== 0)
    throw new ShowParseError(cmd, `unsupported JSON major version ${String(r.major_version)}`);
  return arr(r, "maps", cmd).map((m) => ({
    name: str(m, "name", cmd),
    uuid: str(m, "uuid", cmd),
    sysfs: str(m, "sysfs", cmd),
    failback: str(m, "failback", cmd),
    queueing: str(m, "queueing", cmd),
    paths: num(m, "paths", cmd),
    write_prot: str(m, "write_prot", cmd),
    dm_st: str(m, "dm_st", cmd),
    features: str(m, "features", cmd),
    hwhandler: str(m, "hwhandler", cmd),
    path_faults: num(m, "path_faults", cmd),
    vend: str(m, "vend", cmd),
    prod: str(m, "prod", cmd),
    rev: str(m, "rev", cmd),
    switch_grp: num(m, "switch_grp", cmd),
    path_groups: arr(m, "path_groups", cmd).map((g) => ({
      selector: str(g, "selector", cmd),
      pri: num(g, "pri", cmd),
      dm_st: str(g, "dm_st", cmd),
      marginal_st: str(g, "marginal_st", cmd),
      group: num(g, "group", cmd),
      paths: arr(g, "paths", cmd).map((p) => ({
        dev: str(p, "dev", cmd),
        dev_t: str(p, "dev_t", cmd),
        dm_st: str(p, "dm_st", cmd),
        dev_st: str(p, "dev_st", cmd),
        chk_st: str(p, "chk_st", cmd),
        checker: str(p, "checker", cmd),
        pri: num(p, "pri", cmd),
        marginal_st: str(p, "marginal_st", cmd),
      })),
    })),
  }));
}

/** Splits raw-format output into rows of `n` fields (the last field takes any extra `|`). */
export function parseRaw(text: string, n: number, command: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const parts = line.split("|");
    if (parts.length < n) throw new ShowParseError(command, `expected ${n} fields: ${line}`);
    rows.push([...parts.slice(0, n - 1), parts.slice(n - 1).join("|")]);
  }
  return rows;
}

/** The `%C` next-check bar (`XXXX...... 3/5`), or null (orphans, no interval yet). */
export function parseNextCheck(text: string): { tick: number; interval: number } | null {
  const m = /(-?\d+)\/(\d+)\s*$/.exec(text);
  if (!m) return null;
  return { tick: Number(m[1]), interval: Number(m[2]) };
}

function dmPathState(s: string): DmPathStateName {
  return s === "active" || s === "failed" ? s : "undef";
}

function groupStatus(s: string): GroupStatusName {
  return s === "active" || s === "enabled" || s === "disabled" ? s : "undef";
}

/** What one poll of the daemon returned. */
export interface ShowOutputs {
  readonly mapsJson: string;
  readonly mapsRaw: string;
  readonly pathsRaw: string;
}

/** Maps and paths without I/O figures (the caller adds those). */
export interface ShowModel {
  readonly maps: MapView[];
  readonly paths: PathView[];
}

/** Builds maps and paths from one poll's outputs. */
export function modelFromShow(out: ShowOutputs): ShowModel {
  const jmaps = parseMapsJson(out.mapsJson);
  const mapRows = parseRaw(out.mapsRaw, MAPS_RAW_FIELDS.length, MAPS_RAW_COMMAND);
  const sizeOf = new Map<string, string>();
  for (const [wwid, size] of mapRows) sizeOf.set(wwid!, size!);
  const pathRows = parseRaw(out.pathsRaw, PATHS_RAW_FIELDS.length, PATHS_RAW_COMMAND);

  interface PathRaw {
    dev: string;
    devT: string;
    hctl: string;
    dm: string;
    chk: string;
    devSt: string;
    prio: number;
    failures: number;
    mapName: string;
    checker: string;
    marginal: boolean;
    next: { tick: number; interval: number } | null;
  }
  const raw = new Map<string, PathRaw>();
  for (const r of pathRows) {
    const [dev, devT, hctl, dm, chk, devSt, prio, failures, mapName, checker, marginal, next] = r as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    raw.set(dev, {
      dev,
      devT,
      hctl,
      dm,
      chk,
      devSt,
      prio: Number(prio),
      failures: Number(failures) || 0,
      mapName,
      checker,
      marginal: marginal === "marginal",
      next: parseNextCheck(next),
    });
  }

  const paths: PathView[] = [];
  const seen = new Set<string>();
  const maps: MapView[] = jmaps.map((jm) => {
    const key = jm.uuid;
    let total = 0;
    const groups: GroupView[] = jm.path_groups.map((jg, gi) => {
      const keys: string[] = [];
      for (const jp of jg.paths) {
        total++;
        const r = raw.get(jp.dev);
        seen.add(jp.dev);
        keys.push(jp.dev);
        paths.push(
          blankIo({
            key: jp.dev,
            dev: jp.dev,
            devT: jp.dev_t,
            hctl: r?.hctl ?? "#:#:#:#",
            mapKey: key,
            mapName: jm.name,
            group: jg.group || gi + 1,
            dmState: dmPathState(jp.dm_st),
            checkerState: jp.chk_st,
            deviceState: jp.dev_st,
            priority: jp.pri,
            checker: jp.checker,
            nextCheck: r?.next ?? null,
            failures: r?.failures ?? 0,
            marginal: jp.marginal_st === "marginal",
          }),
        );
      }
      return {
        index: jg.group || gi + 1,
        policy: jg.selector,
        priority: jg.pri,
        status: groupStatus(jg.dm_st),
        marginal: jg.marginal_st === "marginal",
        paths: keys,
      };
    });
    const active = jm.paths;
    const queueIfNoPath = /\bqueue_if_no_path\b/.test(jm.features);
    return {
      key,
      name: jm.name,
      wwid: jm.uuid,
      dmDev: jm.sysfs,
      vendor: jm.vend,
      product: jm.prod,
      revision: jm.rev,
      sizeSectors: sizeToSectors(sizeOf.get(key) ?? ""),
      size: sizeOf.get(key) ?? "-",
      features: jm.features,
      hwhandler: jm.hwhandler,
      writeProt: jm.write_prot,
      dmState: jm.dm_st,
      failback: jm.failback,
      queueing: parseQueueing(jm.queueing),
      activePaths: active,
      totalPaths: total,
      degraded: active < total,
      queueingIo: active === 0 && total > 0 && queueIfNoPath,
      pathFaults: jm.path_faults,
      switchGroups: jm.switch_grp,
      iops: null,
      bytesPerSec: null,
      groups,
    };
  });
  // Orphans: paths the daemon knows that no map uses.
  for (const r of raw.values()) {
    if (seen.has(r.dev)) continue;
    paths.push(
      blankIo({
        key: r.dev,
        dev: r.dev,
        devT: r.devT,
        hctl: r.hctl,
        mapKey: null,
        mapName: r.mapName === "" ? "[orphan]" : r.mapName,
        group: 0,
        dmState: dmPathState(r.dm),
        checkerState: r.chk,
        deviceState: r.devSt,
        priority: r.prio,
        checker: r.checker,
        nextCheck: r.next,
        failures: r.failures,
        marginal: r.marginal,
      }),
    );
  }
  return { maps, paths };
}

/** A path record with no I/O figures yet. */
function blankIo(
  p: Omit<
    PathView,
    | "iops"
    | "latencyUs"
    | "iopsHistory"
    | "latencyHistory"
    | "inFlight"
    | "selector"
    | "route"
    | "dmFailCount"
  >,
): PathView {
  return {
    ...p,
    dmFailCount: null,
    iops: null,
    latencyUs: null,
    iopsHistory: [],
    latencyHistory: [],
    inFlight: null,
    selector: [],
    route: "",
  };
}

/** `1.0G` → sectors (approximate: for sorting only). */
export function sizeToSectors(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGTP])$/.exec(s.trim());
  if (!m) return 0;
  const pow = "KMGTP".indexOf(m[2]!) + 1;
  return Math.round((Number(m[1]) * 1024 ** pow) / 512);
}
