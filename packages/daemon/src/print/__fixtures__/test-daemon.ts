/**
 * Test support: a daemon stand-in over hand-built structs — the real show and map-state handlers,
 * simple effect handlers that succeed exactly when their target exists — and a `multipathd`
 * client run against it through the real client and dispatcher code.
 */
import { runMultipathdClient } from "../../cli/client.js";
import { type DispatchContext, dispatchCommand } from "../../cli/dispatch.js";
import {
  type CommandHandlers,
  createMapStateHandlers,
  createShowHandlers,
  type EffectHandlers,
  type HandlerResult,
  type ShowSource,
} from "../../cli/handlers.js";
import type { DaemonRunState } from "../../print/status.js";
import type { Multipath, Path } from "../../structs/structs.js";
import { cAtoi, convertDev, findMpByStr, findPathByDev, findPathByDevt } from "../../structs/structs-vec.js";

/** Splits a transcript command line into words like sh does (quotes and backslashes, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (line[i] !== '"') {
        if (line[i] === "\\" && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i]!;
        i++;
      }
      inWord = true;
    } else if (c === "\\") {
      cur += line[++i]!;
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Options of {@link testDaemon}. */
export interface TestDaemonOptions {
  pid?: number;
  state?: DaemonRunState;
  busy?: boolean;
  isRoot?: boolean;
  refresh?: (mpp: Multipath) => boolean;
  effects?: Partial<EffectHandlers>;
}

const OK: HandlerResult = { ok: true };
const FAIL: HandlerResult = { ok: false };

/** Effect handlers that succeed when the named path/map exists (no effect is applied). */
function stubEffects(paths: () => Path[], maps: () => Multipath[]): EffectHandlers {
  const map = (p: string) => (findMpByStr(maps(), convertDev(p, false)) === null ? FAIL : OK);
  const path = (p: string) => {
    const d = convertDev(p, true);
    const pp = findPathByDev(paths(), d) ?? findPathByDevt(paths(), d);
    return pp === null || pp.mpp === null ? FAIL : OK;
  };
  return {
    listConfigLocal: () => FAIL,
    listConfig: () => FAIL,
    listBlacklist: () => FAIL,
    listDevices: () => FAIL,
    addPath: (c) => (findPathByDev(paths(), convertDev(c.path, true)) === null ? FAIL : OK),
    delPath: (c) => (findPathByDev(paths(), convertDev(c.path, true)) === null ? FAIL : OK),
    addMap: (c) => map(c.map),
    delMap: (c) => map(c.map),
    delMaps: () => OK,
    switchGroup: (c) => {
      const mpp = findMpByStr(maps(), convertDev(c.map, false));
      const n = cAtoi(c.group);
      return mpp === null || n < 1 || n > mpp.pg.length ? FAIL : OK;
    },
    reconfigure: () => OK,
    reconfigureAll: () => OK,
    suspend: (c) => map(c.map),
    resume: (c) => map(c.map),
    resize: (c) => map(c.map),
    reload: (c) => map(c.map),
    reassign: (c) => map(c.map),
    reinstate: (c) => path(c.path),
    fail: (c) => path(c.path),
    disableQueueing: (c) => map(c.map),
    restoreQueueing: (c) => map(c.map),
    disableAllQueueing: () => OK,
    restoreAllQueueing: () => OK,
    shutdown: () => OK,
    forceNoDaemonQ: () => OK,
    restoreNoDaemonQ: () => OK,
    setPrKey: (c) => map(c.map),
    unsetPrKey: (c) => map(c.map),
    setMarginal: (c) => path(c.path),
    unsetMarginal: (c) => path(c.path),
    unsetAllMarginal: (c) => map(c.map),
  };
}

/** A daemon stand-in over `world`. */
export function testDaemon(world: { paths: Path[]; maps: Multipath[] }, opts: TestDaemonOptions = {}) {
  const source: ShowSource = {
    paths: () => world.paths,
    maps: () => world.maps,
    refreshMap: opts.refresh ?? (() => true),
    daemonPid: () => opts.pid ?? 240,
    daemonState: () => opts.state ?? "idle",
    ueventBusy: () => opts.busy ?? false,
  };
  const handlers: CommandHandlers = {
    ...createShowHandlers(source),
    ...createMapStateHandlers(source),
    ...stubEffects(
      () => world.paths,
      () => world.maps,
    ),
    ...opts.effects,
  };
  const ctx: DispatchContext = { isRoot: opts.isRoot ?? true, handlers };
  return {
    handlers,
    source,
    /** Sends one raw command line and returns the reply. */
    send: (cmd: string) => dispatchCommand(cmd, ctx),
    /** Runs `multipathd ARGS` (the transcript's command line after `multipathd `). */
    async multipathd(args: string): Promise<{ output: string; rc: number }> {
      const r = await runMultipathdClient(shellWords(args), async (cmd) => ({
        kind: "reply",
        text: await dispatchCommand(cmd, ctx),
      }));
      if (r === null) throw new Error(`not a client invocation: ${args}`);
      return { output: r.stderr + r.stdout, rc: r.exitCode };
    },
  };
}
