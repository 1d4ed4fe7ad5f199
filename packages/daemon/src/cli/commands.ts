/**
 * The commands multipathd 0.9.4 accepts (multipathd/callbacks.c), as a typed AST. Each command is
 * one exact sequence of keyword codes (its "fingerprint"); the table order is the order of the
 * help text. Parameters are kept as typed (`/dev/sda`, `dm-0`, ...): resolving them is the
 * handler's business (see `convertDev`, `findMpByStr` in the structs).
 */
import { KeyCode } from "./keywords.js";

/** Every command, discriminated by `kind` (named after upstream's `cli_*` handler). */
export type Command =
  | { readonly kind: "listPaths" }
  | { readonly kind: "listPathsFmt"; readonly format: string }
  | { readonly kind: "listPathsRaw"; readonly format: string }
  | { readonly kind: "listPath"; readonly path: string }
  | { readonly kind: "listMaps" }
  | { readonly kind: "listStatus" }
  | { readonly kind: "listDaemon" }
  | { readonly kind: "listMapsStatus" }
  | { readonly kind: "listMapsStats" }
  | { readonly kind: "listMapsFmt"; readonly format: string }
  | { readonly kind: "listMapsRaw"; readonly format: string }
  | { readonly kind: "listMapsTopology" }
  | { readonly kind: "listTopology" }
  | { readonly kind: "listMapsJson" }
  | { readonly kind: "listMapTopology"; readonly map: string }
  | { readonly kind: "listMapFmt"; readonly map: string; readonly format: string }
  | { readonly kind: "listMapRaw"; readonly map: string; readonly format: string }
  | { readonly kind: "listMapJson"; readonly map: string }
  | { readonly kind: "listConfigLocal" }
  | { readonly kind: "listConfig" }
  | { readonly kind: "listBlacklist" }
  | { readonly kind: "listDevices" }
  | { readonly kind: "listWildcards" }
  | { readonly kind: "resetMapsStats" }
  | { readonly kind: "resetMapStats"; readonly map: string }
  | { readonly kind: "addPath"; readonly path: string }
  | { readonly kind: "delPath"; readonly path: string }
  | { readonly kind: "addMap"; readonly map: string }
  | { readonly kind: "delMap"; readonly map: string }
  | { readonly kind: "delMaps" }
  /** `group` as typed; upstream converts it with `atoi()` (see `cAtoi`). */
  | { readonly kind: "switchGroup"; readonly map: string; readonly group: string }
  | { readonly kind: "reconfigure" }
  | { readonly kind: "reconfigureAll" }
  | { readonly kind: "suspend"; readonly map: string }
  | { readonly kind: "resume"; readonly map: string }
  | { readonly kind: "resize"; readonly map: string }
  | { readonly kind: "reload"; readonly map: string }
  /** `reset map M`: reassign the map's devices (`cli_reassign`). */
  | { readonly kind: "reassign"; readonly map: string }
  | { readonly kind: "reinstate"; readonly path: string }
  | { readonly kind: "fail"; readonly path: string }
  | { readonly kind: "disableQueueing"; readonly map: string }
  | { readonly kind: "restoreQueueing"; readonly map: string }
  | { readonly kind: "disableAllQueueing" }
  | { readonly kind: "restoreAllQueueing" }
  | { readonly kind: "quit" }
  | { readonly kind: "shutdown" }
  | { readonly kind: "getPrStatus"; readonly map: string }
  | { readonly kind: "setPrStatus"; readonly map: string }
  | { readonly kind: "unsetPrStatus"; readonly map: string }
  /** `forcequeueing daemon`. */
  | { readonly kind: "forceNoDaemonQ" }
  /** `restorequeueing daemon`. */
  | { readonly kind: "restoreNoDaemonQ" }
  | { readonly kind: "getPrKey"; readonly map: string }
  | { readonly kind: "setPrKey"; readonly map: string; readonly key: string }
  | { readonly kind: "unsetPrKey"; readonly map: string }
  | { readonly kind: "setMarginal"; readonly path: string }
  | { readonly kind: "unsetMarginal"; readonly path: string }
  /** `unsetmarginal map M`. */
  | { readonly kind: "unsetAllMarginal"; readonly map: string };

/** The `kind` of a command. */
export type CommandKind = Command["kind"];
/** The command of one kind. */
export type CommandOfKind<K extends CommandKind> = Extract<Command, { kind: K }>;

/** Parameters a command can carry, by the keyword that introduces them. */
export interface CommandParams {
  readonly path: string;
  readonly map: string;
  readonly format: string;
  readonly group: string;
  readonly key: string;
}

/** One row of the command table. */
export interface CommandSpec<K extends CommandKind = CommandKind> {
  readonly kind: K;
  /** Keyword codes in order: byte i of the fingerprint. */
  readonly codes: readonly KeyCode[];
  /** Runs under the daemon's state lock (all but `show daemon`, `reconfigure [all]`, `quit`, `shutdown`). */
  readonly locked: boolean;
  /** Builds the command from the parameters of its keywords. */
  readonly build: (p: CommandParams) => CommandOfKind<K>;
  /** Parameter values of a command, for formatting it back (inverse of `build`). */
  readonly params: (c: CommandOfKind<K>) => Partial<CommandParams>;
}

type AnySpec = { [K in CommandKind]: CommandSpec<K> }[CommandKind];

const C = KeyCode;
const none = () => ({});

/** The command table in upstream's registration order (= help order). */
export const COMMAND_SPECS: readonly AnySpec[] = [
  {
    kind: "listPaths",
    codes: [C.LIST, C.PATHS],
    locked: true,
    build: () => ({ kind: "listPaths" }),
    params: none,
  },
  {
    kind: "listPathsFmt",
    codes: [C.LIST, C.PATHS, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listPathsFmt", format: p.format }),
    params: (c) => ({ format: c.format }),
  },
  {
    kind: "listPathsRaw",
    codes: [C.LIST, C.PATHS, C.RAW, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listPathsRaw", format: p.format }),
    params: (c) => ({ format: c.format }),
  },
  {
    kind: "listPath",
    codes: [C.LIST, C.PATH],
    locked: true,
    build: (p) => ({ kind: "listPath", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "listMaps",
    codes: [C.LIST, C.MAPS],
    locked: true,
    build: () => ({ kind: "listMaps" }),
    params: none,
  },
  {
    kind: "listStatus",
    codes: [C.LIST, C.STATUS],
    locked: true,
    build: () => ({ kind: "listStatus" }),
    params: none,
  },
  {
    kind: "listDaemon",
    codes: [C.LIST, C.DAEMON],
    locked: false,
    build: () => ({ kind: "listDaemon" }),
    params: none,
  },
  {
    kind: "listMapsStatus",
    codes: [C.LIST, C.MAPS, C.STATUS],
    locked: true,
    build: () => ({ kind: "listMapsStatus" }),
    params: none,
  },
  {
    kind: "listMapsStats",
    codes: [C.LIST, C.MAPS, C.STATS],
    locked: true,
    build: () => ({ kind: "listMapsStats" }),
    params: none,
  },
  {
    kind: "listMapsFmt",
    codes: [C.LIST, C.MAPS, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listMapsFmt", format: p.format }),
    params: (c) => ({ format: c.format }),
  },
  {
    kind: "listMapsRaw",
    codes: [C.LIST, C.MAPS, C.RAW, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listMapsRaw", format: p.format }),
    params: (c) => ({ format: c.format }),
  },
  {
    kind: "listMapsTopology",
    codes: [C.LIST, C.MAPS, C.TOPOLOGY],
    locked: true,
    build: () => ({ kind: "listMapsTopology" }),
    params: none,
  },
  {
    kind: "listTopology",
    codes: [C.LIST, C.TOPOLOGY],
    locked: true,
    build: () => ({ kind: "listTopology" }),
    params: none,
  },
  {
    kind: "listMapsJson",
    codes: [C.LIST, C.MAPS, C.JSON],
    locked: true,
    build: () => ({ kind: "listMapsJson" }),
    params: none,
  },
  {
    kind: "listMapTopology",
    codes: [C.LIST, C.MAP, C.TOPOLOGY],
    locked: true,
    build: (p) => ({ kind: "listMapTopology", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "listMapFmt",
    codes: [C.LIST, C.MAP, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listMapFmt", map: p.map, format: p.format }),
    params: (c) => ({ map: c.map, format: c.format }),
  },
  {
    kind: "listMapRaw",
    codes: [C.LIST, C.MAP, C.RAW, C.FMT],
    locked: true,
    build: (p) => ({ kind: "listMapRaw", map: p.map, format: p.format }),
    params: (c) => ({ map: c.map, format: c.format }),
  },
  {
    kind: "listMapJson",
    codes: [C.LIST, C.MAP, C.JSON],
    locked: true,
    build: (p) => ({ kind: "listMapJson", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "listConfigLocal",
    codes: [C.LIST, C.CONFIG, C.LOCAL],
    locked: true,
    build: () => ({ kind: "listConfigLocal" }),
    params: none,
  },
  {
    kind: "listConfig",
    codes: [C.LIST, C.CONFIG],
    locked: true,
    build: () => ({ kind: "listConfig" }),
    params: none,
  },
  {
    kind: "listBlacklist",
    codes: [C.LIST, C.BLACKLIST],
    locked: true,
    build: () => ({ kind: "listBlacklist" }),
    params: none,
  },
  {
    kind: "listDevices",
    codes: [C.LIST, C.DEVICES],
    locked: true,
    build: () => ({ kind: "listDevices" }),
    params: none,
  },
  {
    kind: "listWildcards",
    codes: [C.LIST, C.WILDCARDS],
    locked: true,
    build: () => ({ kind: "listWildcards" }),
    params: none,
  },
  {
    kind: "resetMapsStats",
    codes: [C.RESET, C.MAPS, C.STATS],
    locked: true,
    build: () => ({ kind: "resetMapsStats" }),
    params: none,
  },
  {
    kind: "resetMapStats",
    codes: [C.RESET, C.MAP, C.STATS],
    locked: true,
    build: (p) => ({ kind: "resetMapStats", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "addPath",
    codes: [C.ADD, C.PATH],
    locked: true,
    build: (p) => ({ kind: "addPath", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "delPath",
    codes: [C.DEL, C.PATH],
    locked: true,
    build: (p) => ({ kind: "delPath", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "addMap",
    codes: [C.ADD, C.MAP],
    locked: true,
    build: (p) => ({ kind: "addMap", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "delMap",
    codes: [C.DEL, C.MAP],
    locked: true,
    build: (p) => ({ kind: "delMap", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  { kind: "delMaps", codes: [C.DEL, C.MAPS], locked: true, build: () => ({ kind: "delMaps" }), params: none },
  {
    kind: "switchGroup",
    codes: [C.SWITCH, C.MAP, C.GROUP],
    locked: true,
    build: (p) => ({ kind: "switchGroup", map: p.map, group: p.group }),
    params: (c) => ({ map: c.map, group: c.group }),
  },
  {
    kind: "reconfigure",
    codes: [C.RECONFIGURE],
    locked: false,
    build: () => ({ kind: "reconfigure" }),
    params: none,
  },
  {
    kind: "reconfigureAll",
    codes: [C.RECONFIGURE, C.ALL],
    locked: false,
    build: () => ({ kind: "reconfigureAll" }),
    params: none,
  },
  {
    kind: "suspend",
    codes: [C.SUSPEND, C.MAP],
    locked: true,
    build: (p) => ({ kind: "suspend", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "resume",
    codes: [C.RESUME, C.MAP],
    locked: true,
    build: (p) => ({ kind: "resume", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "resize",
    codes: [C.RESIZE, C.MAP],
    locked: true,
    build: (p) => ({ kind: "resize", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "reload",
    codes: [C.RELOAD, C.MAP],
    locked: true,
    build: (p) => ({ kind: "reload", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "reassign",
    codes: [C.RESET, C.MAP],
    locked: true,
    build: (p) => ({ kind: "reassign", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "reinstate",
    codes: [C.REINSTATE, C.PATH],
    locked: true,
    build: (p) => ({ kind: "reinstate", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "fail",
    codes: [C.FAIL, C.PATH],
    locked: true,
    build: (p) => ({ kind: "fail", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "disableQueueing",
    codes: [C.DISABLEQ, C.MAP],
    locked: true,
    build: (p) => ({ kind: "disableQueueing", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "restoreQueueing",
    codes: [C.RESTOREQ, C.MAP],
    locked: true,
    build: (p) => ({ kind: "restoreQueueing", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "disableAllQueueing",
    codes: [C.DISABLEQ, C.MAPS],
    locked: true,
    build: () => ({ kind: "disableAllQueueing" }),
    params: none,
  },
  {
    kind: "restoreAllQueueing",
    codes: [C.RESTOREQ, C.MAPS],
    locked: true,
    build: () => ({ kind: "restoreAllQueueing" }),
    params: none,
  },
  { kind: "quit", codes: [C.QUIT], locked: false, build: () => ({ kind: "quit" }), params: none },
  { kind: "shutdown", codes: [C.SHUTDOWN], locked: false, build: () => ({ kind: "shutdown" }), params: none },
  {
    kind: "getPrStatus",
    codes: [C.GETPRSTATUS, C.MAP],
    locked: true,
    build: (p) => ({ kind: "getPrStatus", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "setPrStatus",
    codes: [C.SETPRSTATUS, C.MAP],
    locked: true,
    build: (p) => ({ kind: "setPrStatus", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "unsetPrStatus",
    codes: [C.UNSETPRSTATUS, C.MAP],
    locked: true,
    build: (p) => ({ kind: "unsetPrStatus", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "forceNoDaemonQ",
    codes: [C.FORCEQ, C.DAEMON],
    locked: true,
    build: () => ({ kind: "forceNoDaemonQ" }),
    params: none,
  },
  {
    kind: "restoreNoDaemonQ",
    codes: [C.RESTOREQ, C.DAEMON],
    locked: true,
    build: () => ({ kind: "restoreNoDaemonQ" }),
    params: none,
  },
  {
    kind: "getPrKey",
    codes: [C.GETPRKEY, C.MAP],
    locked: true,
    build: (p) => ({ kind: "getPrKey", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "setPrKey",
    codes: [C.SETPRKEY, C.MAP, C.KEY],
    locked: true,
    build: (p) => ({ kind: "setPrKey", map: p.map, key: p.key }),
    params: (c) => ({ map: c.map, key: c.key }),
  },
  {
    kind: "unsetPrKey",
    codes: [C.UNSETPRKEY, C.MAP],
    locked: true,
    build: (p) => ({ kind: "unsetPrKey", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
  {
    kind: "setMarginal",
    codes: [C.SETMARGINAL, C.PATH],
    locked: true,
    build: (p) => ({ kind: "setMarginal", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "unsetMarginal",
    codes: [C.UNSETMARGINAL, C.PATH],
    locked: true,
    build: (p) => ({ kind: "unsetMarginal", path: p.path }),
    params: (c) => ({ path: c.path }),
  },
  {
    kind: "unsetAllMarginal",
    codes: [C.UNSETMARGINAL, C.MAP],
    locked: true,
    build: (p) => ({ kind: "unsetAllMarginal", map: p.map }),
    params: (c) => ({ map: c.map }),
  },
];

/** `fingerprint()`: keyword codes packed little-endian into 32 bits; 0 (invalid) beyond 4 words. */
export function fingerprint(codes: readonly number[]): number {
  if (codes.length > 4) return 0;
  let fp = 0;
  codes.forEach((code, i) => {
    fp = (fp | (code << (8 * i))) >>> 0;
  });
  return fp;
}

const BY_FINGERPRINT: ReadonlyMap<number, AnySpec> = new Map(
  COMMAND_SPECS.map((s) => [fingerprint(s.codes), s]),
);
const BY_KIND: ReadonlyMap<CommandKind, AnySpec> = new Map(COMMAND_SPECS.map((s) => [s.kind, s]));

/** `find_handler()`: the command with exactly this fingerprint; none for 0. */
export function specForFingerprint(fp: number): AnySpec | undefined {
  return fp === 0 ? undefined : BY_FINGERPRINT.get(fp);
}

/** The table row of a command kind. */
export function specForKind<K extends CommandKind>(kind: K): CommandSpec<K> {
  return BY_KIND.get(kind) as unknown as CommandSpec<K>;
}
