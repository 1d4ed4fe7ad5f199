/**
 * `multipath_ctr` (dm-mpath.c, 6.1): the table line parsed in the kernel's order, with its
 * `ti->error` strings and errnos, the selector lookup (autoloading `dm-<name>`), the path devices
 * and the SCSI device-handler attach/retain logic.
 *
 * ```
 * <#features> [<feature> [<arg>]]* <#hw_handler_args> [<hw_handler> [<arg>]*]
 * <#priority groups> <initial pg>
 *   (<selector> <#selector args> [<arg>]* <#paths> <#per-path args> (<path> [<arg>]*){#paths}){#pgs}
 * ```
 */
import { Errno } from "../block/status.js";
import { type DmArg, DmArgSet } from "../dm/dm-args.js";
import type { DmTargetEnv } from "../dm/target.js";
import { scsiDhAttach, scsiDhAttachedHandlerName, scsiDhSetParams } from "../handlers/scsi-dh.js";
import type { PathSelectorEnv, PathSelectorType } from "../selectors/path-selector.js";
import { PG_INIT_DELAY_DEFAULT } from "./mpath-state.js";
import { Pgpath, PriorityGroup } from "./pgpath.js";

/** A successfully parsed table: everything the target needs to run. */
export interface ParsedMultipath {
  readonly queueMode: "bio" | "request";
  readonly queueIfNoPath: boolean;
  /** Explicit `retain_attached_hw_handler` (bio mode implies it; see the state's flag). */
  readonly retainAttachedHwHandler: boolean;
  readonly pgInitRetries: number;
  readonly pgInitDelayMsecs: number;
  /** The handler name after construction (an attached handler may have replaced the table's). */
  readonly hwHandlerName: string | null;
  readonly nrPriorityGroups: number;
  readonly groups: readonly PriorityGroup[];
  readonly paths: readonly Pgpath[];
  /** Index of the initial group (`next_pg`), or -1 when the number given is out of range. */
  readonly nextPg: number;
}

/** Result of {@link parseMultipathTable}: on failure `env.error` is set and `errno` is negative. */
export type ParseResult = { ok: true; table: ParsedMultipath } | { ok: false; errno: number };

/** ASCII `strcasecmp(a, b) == 0`. */
export function strcaseeq(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

const FEATURE_ARGS: DmArg = { min: 0, max: 8, error: "invalid number of feature args" };
const PG_INIT_RETRIES: DmArg = { min: 1, max: 50, error: "pg_init_retries must be between 1 and 50" };
const PG_INIT_DELAY: DmArg = { min: 0, max: 60000, error: "pg_init_delay_msecs must be between 0 and 60000" };
const HW_HANDLER_ARGS: DmArg = { min: 0, max: 1024, error: "invalid number of hardware handler args" };
const NR_PGS: DmArg = { min: 0, max: 1024, error: "invalid number of priority groups" };
const INITIAL_PG: DmArg = { min: 0, max: 1024, error: "invalid initial priority group number" };
const PS_ARGS: DmArg = { min: 0, max: 1024, error: "invalid number of path selector args" };
const NR_PATHS: DmArg = { min: 1, max: 1024, error: "invalid number of paths" };
const NR_SELECTOR_ARGS: DmArg = { min: 0, max: 1024, error: "invalid number of selector args" };

class Failure {
  constructor(readonly errno: number) {}
}

/** Parser state: the partly built multipath (`struct multipath` during ctr). */
class Ctr {
  readonly as: DmArgSet;
  queueMode: "bio" | "request" | null = null;
  queueIfNoPath = false;
  retain = false;
  pgInitRetries = 0;
  pgInitDelayMsecs = PG_INIT_DELAY_DEFAULT;
  hwHandlerName: string | null = null;
  hwHandlerParams: string[] | null = null;
  readonly groups: PriorityGroup[] = [];
  readonly paths: Pgpath[] = [];

  constructor(
    readonly env: DmTargetEnv,
    argv: readonly string[],
    readonly psEnv: PathSelectorEnv,
  ) {
    this.as = new DmArgSet(argv);
  }

  fail(error: string, errno = -Errno.EINVAL): Failure {
    this.env.error = error;
    return new Failure(errno);
  }

  read(arg: DmArg): number {
    const v = this.as.readArg(arg);
    if (typeof v !== "number") throw this.fail(v.error);
    return v;
  }

  readGroup(arg: DmArg): number {
    const v = this.as.readArgGroup(arg);
    if (typeof v !== "number") throw this.fail(v.error);
    return v;
  }

  /** `parse_features`. */
  parseFeatures(): void {
    let argc = this.readGroup(FEATURE_ARGS);
    if (!argc) return;
    do {
      const name = this.as.shift()!;
      argc--;
      if (strcaseeq(name, "queue_if_no_path")) {
        this.queueIfNoPath = true;
        continue;
      }
      if (strcaseeq(name, "retain_attached_hw_handler")) {
        this.retain = true;
        continue;
      }
      if (strcaseeq(name, "pg_init_retries") && argc >= 1) {
        this.pgInitRetries = this.read(PG_INIT_RETRIES);
        argc--;
        continue;
      }
      if (strcaseeq(name, "pg_init_delay_msecs") && argc >= 1) {
        this.pgInitDelayMsecs = this.read(PG_INIT_DELAY);
        argc--;
        continue;
      }
      if (strcaseeq(name, "queue_mode") && argc >= 1) {
        const mode = this.as.shift()!;
        argc--;
        if (strcaseeq(mode, "bio")) this.queueMode = "bio";
        else if (strcaseeq(mode, "rq") || strcaseeq(mode, "mq")) this.queueMode = "request";
        else throw this.fail("Unknown 'queue_mode' requested");
        continue;
      }
      throw this.fail("Unrecognised multipath feature request");
    } while (argc);
  }

  /** `alloc_multipath_stage2`: the queue mode is final; the table's type follows it. */
  stage2(): void {
    if (this.queueMode === null) this.queueMode = "request";
    this.env.setType(this.queueMode);
  }

  /** `parse_hw_handler`. */
  parseHwHandler(): void {
    const hwArgc = this.readGroup(HW_HANDLER_ARGS);
    if (!hwArgc) return;
    if (this.queueMode === "bio") {
      this.as.consume(hwArgc);
      this.env.log.err("device-mapper: multipath: bio-based multipath doesn't allow hardware handler args");
      return;
    }
    this.hwHandlerName = this.as.shift()!;
    if (hwArgc > 1) this.hwHandlerParams = this.as.take(hwArgc - 1);
  }

  /** `dm_get_path_selector`: exact name, autoloading `dm-<name>` once. */
  lookupSelector(name: string): PathSelectorType | undefined {
    const found = this.env.selectors.get(name);
    if (found) return found;
    this.env.modules.request(`dm-${name}`);
    return this.env.selectors.get(name);
  }

  /** `parse_priority_group`. */
  parsePriorityGroup(index: number): PriorityGroup {
    const as = this.as;
    if (as.argc < 2) {
      as.consume(as.argc);
      throw this.fail("not enough priority group arguments");
    }
    // parse_path_selector
    const type = this.lookupSelector(as.shift()!);
    if (!type) throw this.fail("unknown path selector type");
    const psArgc = this.readGroup(PS_ARGS);
    const created = type.create(as.rest().slice(0, psArgc), this.psEnv);
    if (!created.ok) throw this.fail("path selector constructor failed", negErrno(created.errno));
    const pg = new PriorityGroup(index, type, created.selector);
    this.groups.push(pg);
    as.consume(psArgc);

    const nrPaths = this.read(NR_PATHS);
    const nrArgs = 1 + this.read(NR_SELECTOR_ARGS);
    for (let i = 0; i < nrPaths; i++) {
      if (as.argc < nrArgs) throw this.fail("not enough path parameters");
      const path = this.parsePath(pg, as.rest().slice(0, nrArgs));
      pg.paths.push(path);
      this.paths.push(path);
      as.consume(nrArgs);
    }
    return pg;
  }

  /** `parse_path`. */
  parsePath(pg: PriorityGroup, args: readonly string[]): Pgpath {
    if (args.length < 1) throw this.fail("no device given");
    const got = this.env.getDevice(args[0]!);
    if (!got.ok) throw this.fail("error getting device", negErrno(got.errno));
    const dev = got.dev;
    const p = new Pgpath(this.paths.length, pg.index, dev);
    const attached = scsiDhAttachedHandlerName(dev.bdev.scsi ?? null);
    if (attached !== null || this.hwHandlerName !== null) {
      const r = this.setupScsiDh(p, attached);
      if (r < 0) {
        this.env.putDevice(dev);
        throw new Failure(r);
      }
    }
    const added = pg.ps.addPath(p, args.slice(1));
    if (!added.ok) {
      this.env.putDevice(dev);
      throw this.fail(added.error, negErrno(added.errno ?? Errno.EINVAL));
    }
    return p;
  }

  /** `setup_scsi_dh`: attach the table's handler, or keep (and adopt) the one already attached. */
  setupScsiDh(p: Pgpath, attachedName: string | null): number {
    let attached = attachedName;
    let retain = this.retain || this.queueMode === "bio";
    // The kernel loops back to its retain step at most once (-EBUSY means a handler IS attached).
    for (let round = 0; round < 2; round++) {
      if (retain && attached !== null) {
        // Params given for a different handler than the attached one are dropped.
        if (this.hwHandlerName !== null && attached !== this.hwHandlerName) this.hwHandlerParams = null;
        // NB: this changes the table line: it now names the attached handler.
        this.hwHandlerName = attached;
        attached = null;
      }
      if (this.hwHandlerName === null) return 0;
      const env = this.env;
      const r = scsiDhAttach(
        p.bdev.scsi ?? null,
        this.hwHandlerName,
        env.handlers,
        { clock: env.clock, log: env.log },
        env.modules,
      );
      if (r === -Errno.EBUSY) {
        this.env.log.info(`device-mapper: multipath: retaining handler on device ${p.bdev.name}`);
        retain = true;
        continue;
      }
      if (r < 0) {
        this.env.error = "error attaching hardware handler";
        return r;
      }
      if (this.hwHandlerParams !== null) {
        const s = scsiDhSetParams(p.bdev.scsi ?? null, this.hwHandlerParams);
        if (s < 0) {
          this.env.error = "unable to set hardware handler parameters";
          return s;
        }
      }
      return 0;
    }
    this.env.error = "error attaching hardware handler";
    return -Errno.EBUSY;
  }

  /** Undo on failure (`free_multipath`): selectors destroyed, devices put. */
  cleanup(): void {
    for (const pg of this.groups) pg.ps.destroy();
    for (const p of this.paths) this.env.putDevice(p.dev);
  }
}

function negErrno(e: number): number {
  return e > 0 ? -e : e;
}

/** Parses a multipath table for `env`'s target. On failure, `env.error` is set and everything acquired is released. */
export function parseMultipathTable(
  env: DmTargetEnv,
  argv: readonly string[],
  psEnv: PathSelectorEnv,
): ParseResult {
  const c = new Ctr(env, argv, psEnv);
  try {
    c.parseFeatures();
    c.stage2();
    c.parseHwHandler();
    const nrPgs = c.read(NR_PGS);
    let nextPgNum = c.read(INITIAL_PG);
    if ((!nrPgs && nextPgNum) || (nrPgs && !nextPgNum)) throw c.fail("invalid initial priority group");
    let nextPg = -1;
    let pgCount = 0;
    while (c.as.argc) {
      const pg = c.parsePriorityGroup(pgCount);
      pgCount++;
      nextPgNum = (nextPgNum - 1) >>> 0;
      if (nextPgNum === 0) nextPg = pg.index;
    }
    if (pgCount !== nrPgs) throw c.fail("priority group count mismatch");
    return {
      ok: true,
      table: {
        queueMode: c.queueMode ?? "request",
        queueIfNoPath: c.queueIfNoPath,
        retainAttachedHwHandler: c.retain,
        pgInitRetries: c.pgInitRetries,
        pgInitDelayMsecs: c.pgInitDelayMsecs,
        hwHandlerName: c.hwHandlerName,
        nrPriorityGroups: nrPgs,
        groups: c.groups,
        paths: c.paths,
        nextPg,
      },
    };
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    c.cleanup();
    return { ok: false, errno: e.errno };
  }
}
