/**
 * libmultipath/foreign.c's loader: which foreign multipath libraries (`libforeign-*.so`) a
 * process enables. Debian's multipath-tools 0.9.4 ships one, `nvme` (native NVMe multipath).
 *
 * Only the loading is modelled (its -v3 log lines); what a loaded `nvme` library would add to
 * `multipath -ll` and `show paths` for native NVMe subsystems is not.
 */
import { compileEre, ereTest } from "../config/regex.js";
import type { LibmpContext } from "./context.js";

/** The libraries in /lib/multipath (without the `libforeign-` prefix and `.so`), sorted. */
export const FOREIGN_LIBRARIES: readonly string[] = ["nvme"];

/** `DEFAULT_ENABLE_FOREIGN`: no foreign library unless configured. */
const DEFAULT_ENABLE_FOREIGN = "NONE";

/** `init_foreign(enable)`: the libraries loaded (logged as upstream logs them). */
export function initForeign(ctx: LibmpContext, enable: string | undefined): string[] {
  const str = enable ?? DEFAULT_ENABLE_FOREIGN;
  const re = compileEre(str);
  if (!re.ok) {
    ctx.log.log(2, `_init_foreign: error compiling enable_foreign = "${str}": "${re.error.message}"`);
    return [];
  }
  if (FOREIGN_LIBRARIES.length === 0) {
    ctx.log.log(3, "_init_foreign: no foreign multipath libraries found");
    return [];
  }
  const loaded: string[] = [];
  for (const name of FOREIGN_LIBRARIES) {
    ctx.log.log(4, `_init_foreign: found libforeign-${name}.so`);
    if (!ereTest(re.regex, name)) {
      ctx.log.log(3, `_init_foreign: foreign library "${name}" is not enabled`);
      continue;
    }
    loaded.push(name);
    ctx.log.log(3, `foreign library "${name}" loaded successfully`);
  }
  return loaded;
}

/**
 * `set_max_fds(conf->max_fds)`: raises the process's open-files limit. A fresh process has
 * the usual 1024 soft / 1048576 hard limits; nothing happens when `max_fds` is 0 or already met.
 */
export function setMaxFds(ctx: LibmpContext, maxFds: number): void {
  if (!maxFds) return;
  const soft = 1024;
  const hard = 1048576;
  if (soft >= maxFds) return;
  ctx.log.log(3, `set open fds limit to ${maxFds}/${Math.max(hard, maxFds)}`);
}
