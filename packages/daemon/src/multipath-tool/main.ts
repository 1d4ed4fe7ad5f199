/**
 * The `multipath` program (multipath/main.c, 0.9.4) as a function of its arguments over a host:
 * list maps (`-l`, `-ll`), create or reload them (no option, `-r`, `-d` dry run, `-p` policy),
 * flush them (`-f`, `-F`), manage the wwids file (`-a`, `-w`, `-W`), check paths (`-c`, `-u`,
 * `-C`, `-U`) and dump the configuration (`-t`, `-T`), with the real tool's output, messages
 * (stderr, `<monotonic time> | ` prefix) and exit statuses.
 */

import type { CheckerRegistry, PrioritizerRegistry } from "@mp/checkers";
import { createRng, devMajor, type Host, type Rng } from "@mp/dm-core";
import type { ClientOutcome } from "../cli/client.js";
import { MULTIPATH_TOOLS_VERSION } from "../cli/help.js";
import { loadConfig, multipathToolConfig } from "../config/config.js";
import { printConfig } from "../config/print-config.js";
import type { PgPolicyName } from "../config/structs.js";
import { checkAliasSettings, validAlias } from "../libmultipath/alias.js";
import { aluaProbes, checkerFactory, prioritizerFactory } from "../libmultipath/checkers.js";
import {
  coalescePaths,
  type DevType,
  filterDevnode,
  getRefwwid,
  reinstatePaths,
} from "../libmultipath/configure.js";
import { createLibmpContext, type LibmpContext } from "../libmultipath/context.js";
import { type CpuCosts, type CpuProfile, cpuCosts, spendCpu } from "../libmultipath/cpu.js";
import { CoalesceResult, DI, Dmp, ForceReload, MpathCmd, PathinfoResult } from "../libmultipath/defaults.js";
import {
  dmFlushMaps,
  dmGetMaps,
  dmGetMultipath,
  dmIsMpath,
  dmMapname,
  dmSuspendAndFlushMap,
  LibmpExit,
} from "../libmultipath/devmapper.js";
import {
  freePath,
  pathDiscovery,
  pathinfo,
  udevBlockDevice,
  udevDeviceByDevt,
} from "../libmultipath/discovery.js";
import { initForeign, setMaxFds } from "../libmultipath/foreign.js";
import { Logger, stderrWithTimeSink } from "../libmultipath/log.js";
import { pgPolicyId, pgPolicyName } from "../libmultipath/pgpolicies/index.js";
import { allocPath, type MpMap, type MpPath } from "../libmultipath/structs.js";
import { getUsedHwes, removeMap, updateMultipathTable } from "../libmultipath/structs-vec.js";
import { isPathValid, PathValid } from "../libmultipath/valid.js";
import { rememberWwid, removeWwid, replaceWwids } from "../libmultipath/wwids.js";
import { formatAllPaths } from "../print/status.js";
import { formatMultipathTopology } from "../print/topology.js";
import { DmPathState, PathState } from "../structs/path-state.js";
import { WWID_SIZE } from "../structs/structs.js";
import { selectPathGroup, updatePathGroupPrios } from "../structs/structs-vec.js";
import { getopt } from "./getopt.js";

/** Where the program writes. */
export interface ToolIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What the program runs against. */
export interface MultipathToolEnv {
  readonly host: Host;
  readonly io: ToolIo;
  /**
   * The daemon socket: a request function when a multipathd listens (`check_daemon`,
   * delegation of `-r`, `-f`, `-F`), or null.
   */
  readonly multipathd?: ((command: string) => Promise<ClientOutcome>) | null;
  /** The caller is root (default true). */
  readonly isRoot?: boolean;
  /** The uevent environment for `-u` / `-U` (`DEVNAME`, `DM_MULTIPATH_DEVICE_PATH`…). */
  readonly environ?: ReadonlyMap<string, string>;
  readonly checkers?: CheckerRegistry;
  readonly prioritizers?: PrioritizerRegistry;
  readonly rng?: Rng;
  /** What the run costs in virtual time (default: the kernel lab's). */
  readonly cpu?: CpuProfile;
}

/** Exit statuses (`RTVL_*`). */
const RTVL_OK = 0;
const RTVL_FAIL = 1;

/** The usage text (to stderr). */
export function multipathUsage(progname = "multipath"): string {
  return (
    `multipath-tools v${MULTIPATH_TOOLS_VERSION}\n` +
    "Usage:\n" +
    `  ${progname} [-v level] [-B|-d|-i|-q|-r] [-b file] [-p policy] [device]\n` +
    `  ${progname} [-v level] [-R retries] -f device\n` +
    `  ${progname} [-v level] [-R retries] -F\n` +
    `  ${progname} [-v level] [-l|-ll] [device]\n` +
    `  ${progname} [-v level] [-a|-w] device\n` +
    `  ${progname} [-v level] -W\n` +
    `  ${progname} [-v level] [-i] [-c|-C] device\n` +
    `  ${progname} [-v level] [-i] [-u|-U]\n` +
    `  ${progname} [-h|-t|-T]\n` +
    "\n" +
    "Where:\n" +
    "  -h      print this usage text\n" +
    "  -l      show multipath topology (sysfs and DM info)\n" +
    "  -ll     show multipath topology (maximum info)\n" +
    "  -e      enable foreign libraries with -l/-ll\n" +
    "  -f      flush a multipath device map\n" +
    "  -F      flush all multipath device maps\n" +
    "  -a      add a device wwid to the wwids file\n" +
    "  -c      check if a device should be a path in a multipath device\n" +
    "  -C      check if a multipath device has usable paths\n" +
    "  -q      allow queue_if_no_path when multipathd is not running\n" +
    "  -d      dry run, do not create or update devmaps\n" +
    "  -t      display the currently used multipathd configuration\n" +
    "  -T      display the multipathd configuration without builtin defaults\n" +
    "  -r      force devmap reload\n" +
    "  -i      ignore wwids file\n" +
    "  -B      treat the bindings file as read only\n" +
    "  -b fil  bindings file location\n" +
    "  -w      remove a device from the wwids file\n" +
    "  -W      reset the wwids file include only the current devices\n" +
    "  -R num  number of times to retry removes of in-use devices\n" +
    "  -u      check if the device specified in the program environment should be a\n" +
    "          path in a multipath device\n" +
    "  -U      check if the device specified in the program environment is a\n" +
    "          multipath device with usable paths, see -C flag\n" +
    "  -p pol  force all maps to specified path grouping policy:\n" +
    "          . failover            one path per priority group\n" +
    "          . multibus            all paths in one priority group\n" +
    "          . group_by_serial     one priority group per serial\n" +
    "          . group_by_prio       one priority group per priority lvl\n" +
    "          . group_by_node_name  one priority group per target node\n" +
    "  -v lvl  verbosity level:\n" +
    "          . 0 no output\n" +
    "          . 1 print created devmap names only\n" +
    "          . 2 default verbosity\n" +
    "          . 3 print debug information\n" +
    "  device  action limited to:\n" +
    "          . multipath named 'device' (ex: mpath0)\n" +
    "          . multipath whose wwid is 'device' (ex: 60051...)\n" +
    "          . multipath including the path named 'device' (ex: /dev/sda or\n" +
    "            /dev/dm-0)\n" +
    "          . multipath including the path with maj:min 'device' (ex: 8:0)\n"
  );
}

/** `get_dev_type`: how a device argument names something. */
function getDevType(host: Host, dev: string): DevType {
  if (dev.startsWith("/dev/")) {
    const name = dev.slice(5);
    if (name.startsWith("mapper/")) {
      if (host.dm.info(name.slice(7)).ok) return "devmap";
    } else {
      const ud = host.udev.device("block", name.slice(name.lastIndexOf("/") + 1));
      if (ud !== null && ud.devnum !== undefined)
        return devMajor(ud.devnum) === 254 || ud.sysname.startsWith("dm-") ? "devmap" : "devnode";
    }
  }
  if (/^\s*[+-]?\d+:\s*[+-]?\d+/.test(dev)) return "devt";
  if (validAlias(dev)) return "devmap";
  return "none";
}

/** `strchop`: trailing whitespace removed. */
function chop(s: string): string {
  return s.replace(/[ \t\n\v\f\r]+$/, "");
}

/** Runs `multipath ARGS` (argv[0] is the program name). Returns the exit status. */
export async function runMultipath(argv: readonly string[], env: MultipathToolEnv): Promise<number> {
  const cpu = cpuCosts(env.cpu);
  await spendCpu(env.host.clock, cpu.processStart + cpu.toolInit);
  // stdout is a pipe: fully buffered, written out a block at a time and at exit; stderr is not.
  let pending = "";
  const io: ToolIo = {
    stdout(text) {
      pending += text;
      if (pending.length >= STDOUT_BLOCK) {
        const n = pending.length - (pending.length % STDOUT_BLOCK);
        env.io.stdout(pending.slice(0, n));
        pending = pending.slice(n);
      }
    },
    stderr: (text) => env.io.stderr(text),
  };
  const atexit: (() => void)[] = [];
  let rc: number;
  try {
    rc = await multipathMain(argv, { ...env, io }, cpu, atexit);
  } catch (err) {
    if (!(err instanceof LibmpExit)) throw err;
    rc = err.status;
  }
  for (const fn of atexit.reverse()) fn();
  if (pending.length > 0) env.io.stdout(pending);
  await spendCpu(env.host.clock, cpu.processExit);
  return rc;
}

/** glibc's buffer for a pipe (`st_blksize`). */
const STDOUT_BLOCK = 4096;

async function multipathMain(
  argv: readonly string[],
  env: MultipathToolEnv,
  cpu: CpuCosts,
  atexit: (() => void)[],
): Promise<number> {
  const { host, io } = env;
  const progname = argv[0] ?? "multipath";
  const logger = new Logger(
    host.clock,
    2,
    stderrWithTimeSink((t) => io.stderr(t)),
  );
  // init_config: the configuration, as the tool uses it (no uevent retriggers, synchronous checkers).
  const loaded = loadConfig({ files: host.files, verbosity: 2 });
  const conf0 = loaded.ok ? multipathToolConfig(loaded.config) : null;
  logger.verbosity = conf0?.verbosity ?? 2;
  for (const d of loaded.diagnostics) logger.log(d.level, d.message);
  if (conf0 === null) return RTVL_FAIL;
  const conf = conf0;
  let cmd: MpathCmd = MpathCmd.CREATE;
  let devType: DevType = "none";
  let retries = -1;
  let bindingsReadOnly = false;
  let allowQueueing = false;
  let forceReload: ForceReload = ForceReload.WEAK;
  let pgpolicyFlag: PgPolicyName | undefined;
  let skipDelegate = false;
  let enableForeign = false;
  const usage = () => io.stderr(multipathUsage(progname));
  const { options, operands } = getopt(argv.slice(1), ":adDcChl::eFfM:v:p:b:BrR:itTquUwW");
  for (const o of options) {
    switch (o.opt) {
      case "v":
        if (!/^[0-9]/.test(o.arg ?? "")) {
          usage();
          return RTVL_FAIL;
        }
        logger.verbosity = Number.parseInt(o.arg!, 10);
        break;
      case "b":
        conf.bindingsFile = o.arg ?? conf.bindingsFile;
        break;
      case "B":
        bindingsReadOnly = true;
        break;
      case "q":
        allowQueueing = true;
        break;
      case "c":
        cmd = MpathCmd.VALID_PATH;
        break;
      case "C":
        cmd = MpathCmd.USABLE_PATHS;
        break;
      case "d":
        if (cmd === MpathCmd.CREATE) cmd = MpathCmd.DRY_RUN;
        break;
      case "D":
        skipDelegate = true;
        break;
      case "f":
        cmd = MpathCmd.FLUSH_ONE;
        break;
      case "F":
        cmd = MpathCmd.FLUSH_ALL;
        break;
      case "l":
        cmd = o.arg?.startsWith("l") ? MpathCmd.LIST_LONG : MpathCmd.LIST_SHORT;
        break;
      case "e":
        enableForeign = true;
        break;
      case "M":
        break;
      case "p": {
        const id = pgPolicyId(o.arg ?? "");
        if (id === 0) {
          io.stdout(`'${o.arg}' is not a valid policy\n`);
          usage();
          return RTVL_FAIL;
        }
        pgpolicyFlag = pgPolicyName(id) as PgPolicyName;
        break;
      }
      case "r":
        forceReload = ForceReload.YES;
        break;
      case "i":
        if (conf.findMultipaths === "on" || conf.findMultipaths === "strict") conf.findMultipaths = "smart";
        else if (conf.findMultipaths === "off") conf.findMultipaths = "greedy";
        break;
      case "t":
        io.stdout(printConfig(conf));
        return RTVL_OK;
      case "T":
        cmd = MpathCmd.DUMP_CONFIG;
        break;
      case "h":
        usage();
        return RTVL_OK;
      case "u":
        cmd = MpathCmd.VALID_PATH;
        devType = "uevent";
        break;
      case "U":
        cmd = MpathCmd.USABLE_PATHS;
        devType = "uevent";
        break;
      case "w":
        cmd = MpathCmd.REMOVE_WWID;
        break;
      case "W":
        cmd = MpathCmd.RESET_WWIDS;
        break;
      case "a":
        cmd = MpathCmd.ADD_WWID;
        break;
      case "R":
        retries = Number.parseInt(o.arg ?? "0", 10) || 0;
        break;
      case ":":
        io.stderr("Missing option argument\n");
        usage();
        return RTVL_FAIL;
      case "?":
        io.stderr("Unknown switch: (null)\n");
        usage();
        return RTVL_FAIL;
      default:
        usage();
        return RTVL_FAIL;
    }
  }
  if (env.isRoot === false) {
    io.stderr("need to be root\n");
    return RTVL_FAIL;
  }
  let dev: string | null = null;
  if (operands.length > 0) {
    dev = operands[0]!.slice(0, 4095);
    if (devType !== "uevent") devType = getDevType(host, dev);
    if (devType === "none") {
      logger.log(0, `'${dev}' is not a valid argument\n`);
      return RTVL_FAIL;
    }
    if (devType === "devnode" || devType === "devt") dev = chop(dev);
  }
  if (devType === "uevent") dev = env.environ?.get("DEVNAME")?.replace(/^\/dev\//, "") ?? dev;

  const ctx = createLibmpContext({
    host,
    log: logger,
    config: conf,
    checkers: checkerFactory(host, logger, env.checkers),
    prioritizers: prioritizerFactory(host, logger, env.rng ?? createRng("multipath"), env.prioritizers),
    alua: aluaProbes(host, logger),
    isDaemon: false,
    bindingsReadOnly,
    cpu,
  });
  ctx.allowQueueing = allowQueueing;
  ctx.pgpolicyFlag = pgpolicyFlag;
  ctx.stdout = (t) => io.stdout(t);
  // libmultipath_exit at exit: foreign libraries, checkers, prioritizers.
  atexit.push(() => {
    ctx.checkers.cleanup?.();
    ctx.prioritizers.cleanup?.();
  });
  setMaxFds(ctx, conf.maxFds);
  const foreignEnable =
    (cmd === MpathCmd.LIST_SHORT || cmd === MpathCmd.LIST_LONG) && enableForeign ? "" : conf.enableForeign;

  const request = env.multipathd ?? null;
  const checkDaemon = async (): Promise<boolean> => {
    if (request === null) return false;
    const r = await request("show daemon");
    return r.kind === "reply" && !r.text.includes("shutdown");
  };

  if (cmd === MpathCmd.USABLE_PATHS) return (await checkUsablePaths(ctx, dev, devType)) ? RTVL_FAIL : RTVL_OK;
  if (cmd === MpathCmd.VALID_PATH && (dev === null || devType === "devmap")) {
    logger.log(0, "the -c option requires a path to check");
    return RTVL_FAIL;
  }
  if (cmd === MpathCmd.VALID_PATH) {
    const name = dev!.replace(/^\/dev\//, "");
    const daemonUp = devType === "uevent" ? await checkDaemon() : true;
    return checkPathValid(ctx, name, devType === "uevent", daemonUp, env.environ, io);
  }
  if (cmd === MpathCmd.REMOVE_WWID && dev === null) {
    logger.log(0, "the -w option requires a device");
    return RTVL_FAIL;
  }
  if (cmd === MpathCmd.FLUSH_ONE && devType !== "devmap") {
    logger.log(0, "the -f option requires a map name to remove");
    return RTVL_FAIL;
  }
  // delegate_to_multipathd: commands multipathd should carry out itself.
  if (!skipDelegate && request !== null) {
    let command = "";
    let notDelegated = false;
    if (cmd === MpathCmd.CREATE && forceReload === ForceReload.YES) command = "reconfigure all";
    else if (cmd === MpathCmd.FLUSH_ONE && dev !== null && devType === "devmap") {
      command = `del map ${dev}`;
      notDelegated = true;
    } else if (cmd === MpathCmd.FLUSH_ALL) {
      command = "del maps";
      notDelegated = true;
    }
    if (command !== "") {
      const r = await request(command);
      if (r.kind === "reply") {
        logger.log(3, "delegating command to multipathd");
        let delegated = !notDelegated;
        if (r.text.length > 0) {
          if (r.text !== "fail\n") delegated = true;
          if (delegated && r.text !== "ok\n") io.stdout(r.text);
        }
        if (delegated) return r.text === "fail\n" && !notDelegated ? RTVL_FAIL : RTVL_OK;
      } else if (r.kind !== "connect-failed" && !notDelegated) {
        logger.log(1, `error in multipath command ${command}: Connection refused`);
        return RTVL_FAIL;
      }
    }
  }
  if (!checkAliasSettings(ctx)) {
    io.stderr("fatal configuration error, aborting");
    return RTVL_FAIL;
  }
  if (ctx.checkers.init?.() === false) {
    logger.log(0, "failed to initialize checkers");
    return RTVL_FAIL;
  }
  if (ctx.prioritizers.init?.() === false) {
    logger.log(0, "failed to initialize prioritizers");
    return RTVL_FAIL;
  }
  initForeign(ctx, foreignEnable);
  if (cmd === MpathCmd.RESET_WWIDS) {
    const maps = dmGetMaps(ctx);
    const r = replaceWwids(ctx, maps) === 0 ? RTVL_OK : RTVL_FAIL;
    if (r === RTVL_OK) io.stdout("successfully reset wwids\n");
    return r;
  }
  if (retries < 0) retries = conf.removeRetries;
  if (cmd === MpathCmd.FLUSH_ONE) {
    if (dmIsMpath(ctx, dev!) !== 1) {
      logger.log(0, `${dev} is not a multipath device`);
      return RTVL_FAIL;
    }
    return (await dmSuspendAndFlushMap(ctx, dev!, retries)) ? RTVL_FAIL : RTVL_OK;
  }
  if (cmd === MpathCmd.FLUSH_ALL) return (await dmFlushMaps(ctx, true, retries)) ? RTVL_FAIL : RTVL_OK;
  for (;;) {
    const r = await configure(ctx, cmd, devType, dev, forceReload, checkDaemon);
    if (r !== "retry") return r;
    logger.log(3, "restart multipath configuration process");
  }
}

/** `configure()` of the tool: discover, read the maps, and (for create/dry run) coalesce. */
async function configure(
  ctx: LibmpContext,
  cmd: MpathCmd,
  devType: DevType,
  devpath: string | null,
  forceReload: ForceReload,
  checkDaemon: () => Promise<boolean>,
): Promise<number | "retry"> {
  const log = ctx.log;
  const pathvec: MpPath[] = [];
  const curmp: MpMap[] = [];
  const newmp: MpMap[] = [];
  let r: number | "retry" = RTVL_FAIL;
  const dev = devpath === null ? null : devType === "devnode" ? devpath.replace(/^\/dev\//, "") : devpath;
  const finish = async (): Promise<number | "retry"> => {
    if (
      r === RTVL_OK &&
      (cmd === MpathCmd.LIST_SHORT || cmd === MpathCmd.LIST_LONG || cmd === MpathCmd.CREATE) &&
      (curmp.length > 0 || newmp.length > 0) &&
      !(await checkDaemon())
    )
      log.log(2, "Warning: multipath devices exist, but multipathd service is not running");
    for (const pp of pathvec) freePath(pp);
    return r;
  };
  if (
    dev !== null &&
    (devType === "devnode" || devType === "uevent") &&
    cmd !== MpathCmd.REMOVE_WWID &&
    filterDevnode(ctx.config, dev.slice(dev.lastIndexOf("/") + 1), ctx.configLog) > 0
  )
    return finish();
  let refwwid: string | null = null;
  if (devpath !== null) {
    const ref = await getRefwwid(ctx, cmd, devpath, devType, pathvec);
    refwwid = ref.wwid;
    if (refwwid === null) {
      log.log(4, `${devpath}: failed to get wwid`);
      log.log(3, "scope is null");
      return finish();
    }
    if (cmd === MpathCmd.REMOVE_WWID) {
      const rc = removeWwid(ctx, refwwid);
      if (rc === 0) {
        ctx.stdout?.(`wwid '${refwwid}' removed\n`);
        r = RTVL_OK;
      } else if (rc === 1) {
        ctx.stdout?.(`wwid '${refwwid}' not in wwids file\n`);
        r = RTVL_OK;
      }
      return finish();
    }
    if (cmd === MpathCmd.ADD_WWID) {
      const rc = rememberWwid(ctx, refwwid);
      if (rc >= 0) {
        ctx.stdout?.(`wwid '${refwwid}' added\n`);
        r = RTVL_OK;
      } else ctx.stdout?.(`failed adding '${refwwid}' to wwids file\n`);
      return finish();
    }
    log.log(3, `scope limited to ${refwwid}`);
  }
  let diFlag = devpath !== null ? DI.WWID : 0;
  if (cmd === MpathCmd.LIST_LONG) diFlag |= DI.SYSFS | DI.CHECKER | DI.SERIAL;
  else if (cmd === MpathCmd.LIST_SHORT) diFlag |= DI.SYSFS;
  else diFlag = DI.ALL;
  if ((await pathDiscovery(ctx, pathvec, diFlag)) < 0) return finish();
  if (log.verbosity > 2) ctx.stdout?.(formatAllPaths(pathvec, true, ctx.printEnv));
  // get_dm_mpvec
  const flags = cmd === MpathCmd.LIST_SHORT ? DI.NOIO : DI.ALL;
  for (const mpp of dmGetMaps(ctx)) {
    if (
      refwwid !== null &&
      refwwid.length > 0 &&
      mpp.wwid.slice(0, WWID_SIZE) !== refwwid.slice(0, WWID_SIZE)
    ) {
      log.log(3, `skip map ${mpp.alias}: out of scope`);
      removeMap(ctx, mpp, pathvec, null);
      continue;
    }
    if ((await updateMultipathTable(ctx, mpp, pathvec, flags)) !== Dmp.OK) {
      log.log(1, `error parsing map ${mpp.wwid}`);
      removeMap(ctx, mpp, pathvec, null);
      continue;
    }
    curmp.push(mpp);
    if (cmd === MpathCmd.LIST_LONG) {
      updatePathGroupPrios(mpp);
      mpp.bestpg = selectPathGroup(mpp);
    }
    if (cmd === MpathCmd.LIST_SHORT || cmd === MpathCmd.LIST_LONG)
      ctx.stdout?.(formatMultipathTopology(mpp, log.verbosity, ctx.printEnv));
    if (cmd === MpathCmd.CREATE) reinstatePaths(ctx, mpp);
  }
  // filter_pathvec: paths outside the scope are dropped.
  if (refwwid !== null && refwwid.length > 0) {
    for (let i = 0; i < pathvec.length; i++) {
      if (pathvec[i]!.wwid.slice(0, WWID_SIZE) !== refwwid.slice(0, WWID_SIZE)) {
        log.log(3, `skip path ${pathvec[i]!.dev} : out of scope`);
        freePath(pathvec[i]!);
        pathvec.splice(i--, 1);
      }
    }
  }
  if (cmd === MpathCmd.DUMP_CONFIG) {
    ctx.stdout?.(
      printConfig(ctx.config, {
        hwtable: getUsedHwes(pathvec),
        maps: curmp.map((m) => ({ wwid: m.wwid, alias: m.alias ?? m.wwid })),
      }),
    );
    r = RTVL_OK;
    return finish();
  }
  if (cmd !== MpathCmd.CREATE && cmd !== MpathCmd.DRY_RUN) {
    r = RTVL_OK;
    return finish();
  }
  const rc = await coalescePaths(
    ctx,
    { pathvec, mpvec: curmp },
    newmp,
    refwwid,
    forceReload,
    cmd,
    checkDaemon,
  );
  r = rc === CoalesceResult.RETRY ? "retry" : rc === CoalesceResult.OK ? RTVL_OK : RTVL_FAIL;
  return finish();
}

/** `check_path_valid` (`-c`, `-u`): prints `DM_MULTIPATH_DEVICE_PATH="N"`. */
function checkPathValid(
  ctx: LibmpContext,
  name: string,
  isUevent: boolean,
  daemonUp: boolean,
  environ: ReadonlyMap<string, string> | undefined,
  io: ToolIo,
): number {
  const pp = allocPath();
  let r = isPathValid(ctx, name, pp, isUevent ? () => daemonUp : null);
  if (r <= PathValid.ERROR) return RTVL_FAIL;
  if (pp.udev === null) pp.udev = udevBlockDevice(ctx, name);
  if (pp.udev === null) return RTVL_FAIL;
  const released = environ?.get("DM_MULTIPATH_DEVICE_PATH") === "0";
  if ((r === PathValid.VALID || r === PathValid.MAYBE_VALID) && released) r = PathValid.NOT_VALID;
  if (r === PathValid.VALID_NO_CHECK) r = PathValid.VALID;
  if (r === PathValid.MAYBE_VALID) {
    // find_multipaths smart: another path with the same WWID makes it valid at once.
    let others = 0;
    for (const ud of ctx.host.udev.enumerate({ subsystem: "block", devtype: "disk" }))
      if (ud.sysname !== name && (ud.properties.get(pp.uidAttribute ?? "ID_SERIAL") ?? "") === pp.wwid)
        others++;
    r = others > 0 ? PathValid.VALID : PathValid.NOT_VALID;
  }
  if (r !== PathValid.VALID && r !== PathValid.NOT_VALID) r = PathValid.NOT_VALID;
  io.stdout(`DM_MULTIPATH_DEVICE_PATH="${r === PathValid.VALID ? 1 : 0}"\n`);
  return !isUevent && r === PathValid.NOT_VALID ? RTVL_FAIL : RTVL_OK;
}

/** `check_usable_paths` (`-C`, `-U`): 0 when the map has a path up and active in dm. */
async function checkUsablePaths(
  ctx: LibmpContext,
  devpath: string | null,
  devType: DevType,
): Promise<number> {
  if (devpath === null) return 1;
  const name = devpath.replace(/^\/dev\//, "");
  const ud = devType === "devt" ? udevDeviceByDevt(ctx, devpath) : udevBlockDevice(ctx, name);
  if (ud === null || ud.devnum === undefined) return 1;
  if (devMajor(ud.devnum) !== 254) {
    ctx.log.log(1, `${devpath} is not a dm device`);
    return 1;
  }
  const mapname = dmMapname(ctx, devMajor(ud.devnum), ud.devnum & 0xfffff);
  if (mapname === null) {
    ctx.log.log(1, `dm device not found: ${devpath}`);
    return 1;
  }
  if (dmIsMpath(ctx, mapname) !== 1) {
    ctx.log.log(1, `${devpath} is not a multipath map`);
    return 1;
  }
  const mpp = dmGetMultipath(ctx, mapname);
  if (mpp === null) return 1;
  const pathvec: MpPath[] = [];
  if ((await updateMultipathTable(ctx, mpp, pathvec, 0)) !== Dmp.OK) return 1;
  let r = 1;
  for (const pg of mpp.pg) {
    for (const pp of pg.paths) {
      pp.udev = udevDeviceByDevt(ctx, pp.devT);
      if (pp.udev === null) continue;
      if ((await pathinfo(ctx, pp, DI.SYSFS | DI.NOIO | DI.CHECKER)) !== PathinfoResult.OK) continue;
      if (pp.state === PathState.UP && pp.dmstate === DmPathState.ACTIVE) {
        ctx.log.log(3, `${devpath}: path ${pp.dev} is usable`);
        r = 0;
        break;
      }
    }
    if (r === 0) break;
  }
  ctx.log.log(r === 0 ? 3 : 2, `${devpath}:${r === 0 ? "" : " no"} usable paths found`);
  return r;
}
