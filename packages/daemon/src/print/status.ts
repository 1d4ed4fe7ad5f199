/**
 * `show status`, `show daemon`, and the `multipath -v3` path list (print.c `snprint_status`,
 * `print_all_paths`; multipathd/cli_handlers.c `show_daemon`).
 */
import { checkerStateName, PATH_MAX_STATE } from "../structs/path-state.js";
import type { Path } from "../structs/structs.js";
import { LayoutReset, pathLayout, StrBuf, snprintPath, snprintPathHeader } from "./format.js";
import type { PrintEnv } from "./print-env.js";
import { PrintAbort } from "./print-util.js";

/** PRINT_PATH_CHECKER: the columns of `show paths`. */
export const PRINT_PATH_CHECKER = "%i %d %D %p %t %T %o %C";
/** PRINT_MAP_STATUS: the columns of `show maps status`. */
export const PRINT_MAP_STATUS = "%n %F %Q %N %t %r";
/** PRINT_MAP_STATS: the columns of `show maps stats`. */
export const PRINT_MAP_STATS = "%n %0 %1 %2 %3 %4";
/** PRINT_MAP_NAMES: the columns of `show maps`. */
export const PRINT_MAP_NAMES = "%n %d %w";
/** PRINT_PATH_LONG: the columns of the `multipath -v3` path list. */
export const PRINT_PATH_LONG = "%w %i %d %D %p %t %T %s %o";

/** `enum daemon_status` as `show daemon` names it. */
export type DaemonRunState = "init" | "startup" | "configure" | "idle" | "running" | "shutdown";

/** `snprint_status()`: per-state path counts (states with no path omitted), monitored paths, uevent backlog. */
export function snprintStatus(paths: readonly Path[], ueventBusy: boolean): string {
  const count = new Array<number>(PATH_MAX_STATE).fill(0);
  let monitored = 0;
  for (const pp of paths) {
    if (pp.state >= 0 && pp.state < PATH_MAX_STATE) count[pp.state]!++;
    if (pp.monitored) monitored++;
  }
  let out = "path checker states:\n";
  for (let i = 0; i < PATH_MAX_STATE; i++) {
    if (count[i] === 0) continue;
    out += `${checkerStateName(i).padEnd(20)}${count[i]}\n`;
  }
  return `${out}\npaths: ${monitored}\nbusy: ${ueventBusy ? "True" : "False"}\n`;
}

/** `show daemon`: `pid <pid> <state>`. */
export function snprintDaemon(pid: number, state: DaemonRunState): string {
  return `pid ${pid | 0} ${state}\n`;
}

/**
 * `print_all_paths()` (with `PRINT_PATH_LONG`): the path table `multipath -v3` prints, headed by
 * `===== paths list =====` when `banner` is set; `===== no paths =====` (banner) or nothing
 * when there is no path.
 */
export function formatAllPaths(
  paths: readonly Path[],
  banner: boolean,
  env: PrintEnv,
  format: string = PRINT_PATH_LONG,
): string {
  if (paths.length === 0) return banner ? "===== no paths =====\n" : "";
  const widths = pathLayout(paths, LayoutReset.HEADER, env);
  const buf = new StrBuf();
  if (banner) buf.append("===== paths list =====\n");
  try {
    snprintPathHeader(buf, format, widths);
    for (const pp of paths) snprintPath(buf, pp, format, widths, env);
  } catch (e) {
    if (!(e instanceof PrintAbort)) throw e;
  }
  return buf.toString();
}
