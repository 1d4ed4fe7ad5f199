/**
 * The handler interface the CLI dispatches to (multipathd/cli_handlers.c), and the handlers that
 * only read or touch the structs: every `show` of paths, maps, topology, JSON, status, daemon and
 * wildcards, plus stats reset, PR status flags, `getprkey` and `quit`. The daemon core implements
 * the rest ({@link EffectHandlers}) and merges the two.
 */
import type { PrintEnv } from "../print/print-env.js";
import { EMPTY_PRINT_ENV } from "../print/print-env.js";
import {
  type RefreshMap,
  type ShowOutput,
  showMapFormat,
  showMapJson,
  showMaps,
  showMapsJson,
  showMapsTopology,
  showMapTopology,
  showPath,
  showPaths,
} from "../print/show.js";
import {
  type DaemonRunState,
  PRINT_MAP_NAMES,
  PRINT_MAP_STATS,
  PRINT_MAP_STATUS,
  PRINT_PATH_CHECKER,
  snprintDaemon,
  snprintStatus,
} from "../print/status.js";
import { snprintWildcards } from "../print/wildcards.js";
import { MPATH_F_APTPL_MASK, type Multipath, type Path } from "../structs/structs.js";
import { convertDev, findMpByStr, findPathByDev, resetStats } from "../structs/structs-vec.js";
import type { CommandKind, CommandOfKind } from "./commands.js";

/**
 * What a handler returns. `ok: false` is upstream's non-zero return. `output` is the reply text;
 * when it is empty the reply becomes `ok\n` or `fail\n`. A failing handler that printed something
 * sends that text (and the client exits 0, as with `blacklisted\n`).
 */
export interface HandlerResult {
  readonly ok: boolean;
  readonly output?: string;
}

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** One handler per command kind. */
export type CommandHandlers = {
  readonly [K in CommandKind]: (cmd: CommandOfKind<K>) => MaybePromise<HandlerResult>;
};

/** The commands {@link createShowHandlers} implements. */
export const SHOW_COMMAND_KINDS = [
  "listPaths",
  "listPathsFmt",
  "listPathsRaw",
  "listPath",
  "listMaps",
  "listStatus",
  "listDaemon",
  "listMapsStatus",
  "listMapsStats",
  "listMapsFmt",
  "listMapsRaw",
  "listMapsTopology",
  "listTopology",
  "listMapsJson",
  "listMapTopology",
  "listMapFmt",
  "listMapRaw",
  "listMapJson",
  "listWildcards",
] as const satisfies readonly CommandKind[];
/** A command {@link createShowHandlers} implements. */
export type ShowCommandKind = (typeof SHOW_COMMAND_KINDS)[number];

/** The commands {@link createMapStateHandlers} implements. */
export const MAP_STATE_COMMAND_KINDS = [
  "resetMapsStats",
  "resetMapStats",
  "getPrStatus",
  "setPrStatus",
  "unsetPrStatus",
  "getPrKey",
  "quit",
] as const satisfies readonly CommandKind[];
/** A command {@link createMapStateHandlers} implements. */
export type MapStateCommandKind = (typeof MAP_STATE_COMMAND_KINDS)[number];

/**
 * The commands the daemon core must implement: everything with effects beyond the structs
 * (dm ioctls, discovery, configuration) and the config printers (`show config`, `show config
 * local`, `show blacklist`, `show devices`, owned by the config module).
 */
export type EffectCommandKind = Exclude<CommandKind, ShowCommandKind | MapStateCommandKind>;
/** Handlers the daemon core provides. */
export type EffectHandlers = Pick<CommandHandlers, EffectCommandKind>;

/** What the read-only handlers need from the daemon. */
export interface ShowSource {
  /** Every path the daemon knows (`vecs->pathvec`), in discovery order. */
  paths(): readonly Path[];
  /** Every map (`vecs->mpvec`), in discovery order. */
  maps(): readonly Multipath[];
  /**
   * `update_multipath(vecs, alias, 0)`: re-read the map's table and status from the kernel before
   * showing it. Return false when it is gone (and drop it from `maps()`).
   */
  refreshMap: RefreshMap;
  /** `daemon_pid`. */
  daemonPid(): number;
  /** `daemon_status()`. */
  daemonState(): DaemonRunState;
  /** `is_uevent_busy()`: uevents queued or being serviced. */
  ueventBusy(): boolean;
  /** Sysfs look-ups done while printing (FC WWNs, adapters); default: none exist. */
  readonly printEnv?: PrintEnv;
}

const OK: HandlerResult = { ok: true };
const FAIL: HandlerResult = { ok: false };

function result(out: ShowOutput): HandlerResult {
  return { ok: out.ok, output: out.text };
}

/** The read-only `show` handlers over `source`. */
export function createShowHandlers(source: ShowSource): Pick<CommandHandlers, ShowCommandKind> {
  const env = (): PrintEnv => source.printEnv ?? EMPTY_PRINT_ENV;
  const findMap = (param: string): Multipath | null => findMpByStr(source.maps(), convertDev(param, false));
  const paths = (format: string, pretty: boolean) => result(showPaths(source.paths(), format, pretty, env()));
  const maps = (format: string, pretty: boolean) =>
    result(showMaps(source.maps(), format, pretty, env(), source.refreshMap));
  const topology = () => result(showMapsTopology(source.paths(), source.maps(), env(), source.refreshMap));
  const mapFormat = (param: string, format: string): HandlerResult => {
    const mpp = findMap(param);
    return mpp === null ? FAIL : result(showMapFormat(source.maps(), mpp, format, env()));
  };
  return {
    listPaths: () => paths(PRINT_PATH_CHECKER, true),
    listPathsFmt: (c) => paths(c.format, true),
    listPathsRaw: (c) => paths(c.format, false),
    listPath: (c) => {
      const pp = findPathByDev(source.paths(), convertDev(c.path, true));
      return pp === null ? FAIL : result(showPath(pp, "%o", env()));
    },
    listMaps: () => maps(PRINT_MAP_NAMES, true),
    listStatus: () => ({ ok: true, output: snprintStatus(source.paths(), source.ueventBusy()) }),
    listDaemon: () => ({ ok: true, output: snprintDaemon(source.daemonPid(), source.daemonState()) }),
    listMapsStatus: () => maps(PRINT_MAP_STATUS, true),
    listMapsStats: () => maps(PRINT_MAP_STATS, true),
    listMapsFmt: (c) => maps(c.format, true),
    listMapsRaw: (c) => maps(c.format, false),
    listMapsTopology: topology,
    listTopology: topology,
    listMapsJson: () => result(showMapsJson(source.maps(), env(), source.refreshMap)),
    listMapTopology: (c) => {
      const mpp = findMap(c.map);
      return mpp === null ? FAIL : result(showMapTopology(source.paths(), mpp, env(), source.refreshMap));
    },
    listMapFmt: (c) => mapFormat(c.map, c.format),
    // Upstream registers the same handler for `raw format`: padded, no header.
    listMapRaw: (c) => mapFormat(c.map, c.format),
    listMapJson: (c) => {
      const mpp = findMap(c.map);
      return mpp === null ? FAIL : result(showMapJson(mpp, env(), source.refreshMap));
    },
    listWildcards: () => ({ ok: true, output: snprintWildcards() }),
  };
}

/** What the map-state handlers need: the map list. */
export interface MapStateSource {
  maps(): readonly Multipath[];
}

/** Handlers that only read or set fields of the structs. */
export function createMapStateHandlers(source: MapStateSource): Pick<CommandHandlers, MapStateCommandKind> {
  const findMap = (param: string): Multipath | null => findMpByStr(source.maps(), convertDev(param, false));
  return {
    resetMapsStats: () => {
      for (const mpp of source.maps()) resetStats(mpp);
      return OK;
    },
    resetMapStats: (c) => {
      const mpp = findMap(c.map);
      if (mpp === null) return FAIL;
      resetStats(mpp);
      return OK;
    },
    // `%d` of the flag, no newline: the client prints `0` or `1` without a line end.
    getPrStatus: (c) => {
      const mpp = findMap(c.map);
      return mpp === null ? FAIL : { ok: true, output: mpp.prflag ? "1" : "0" };
    },
    setPrStatus: (c) => {
      const mpp = findMap(c.map);
      if (mpp === null) return FAIL;
      mpp.prflag = true;
      return OK;
    },
    unsetPrStatus: (c) => {
      const mpp = findMap(c.map);
      if (mpp === null) return FAIL;
      mpp.prflag = false;
      return OK;
    },
    getPrKey: (c) => {
      const mpp = findMap(c.map);
      if (mpp === null) return FAIL;
      const key = BigInt.asUintN(64, mpp.reservationKey);
      if (key === 0n) return { ok: true, output: "none\n" };
      const aptpl = (mpp.saFlags & MPATH_F_APTPL_MASK) !== 0 ? ":aptpl" : "";
      return { ok: true, output: `0x${key.toString(16)}${aptpl}\n` };
    },
    quit: () => OK,
  };
}
