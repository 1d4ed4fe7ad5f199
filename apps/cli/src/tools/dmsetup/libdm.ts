import type {
  DevT,
  DmControl,
  DmInfo,
  DmRef,
  DmResult,
  DmStatusLine,
  DmTableLine,
  DmTargetVersion,
} from "@mp/dm-core";
import { devMajor, devMinor, Errno, mkdev, strerror } from "@mp/dm-core";

/**
 * libdevmapper's task layer (`dm_task_run`) over the dm ioctls: how a task names its device, the
 * create-load-resume sequence of a create with a table, and the exact error lines
 * (`device-mapper: reload ioctl on mx (254:2) failed: Invalid argument`).
 */

/** The task types dmsetup runs, by the ioctl name libdm prints. */
export type TaskType =
  | "create"
  | "reload"
  | "remove"
  | "suspend"
  | "resume"
  | "info"
  | "deps"
  | "rename"
  | "version"
  | "status"
  | "table"
  | "waitevent"
  | "names"
  | "clear"
  | "mknodes"
  | "versions"
  | "message"
  | "target-version";

/** A device-mapper task: what one dm_task carries. */
export interface DmTask {
  readonly type: TaskType;
  name?: string;
  uuid?: string;
  major?: number;
  minor?: number;
  newName?: string;
  newUuid?: string;
  readOnly?: boolean;
  noFlush?: boolean;
  skipLockfs?: boolean;
  deferred?: boolean;
  inactive?: boolean;
  targets?: DmTableLine[];
  sector?: number;
  message?: string;
  eventNr?: number;
  /** `measure`: DM_TABLE_STATUS with the IMA flag. */
  ima?: boolean;
  /** `--addnodeoncreate`: make the /dev/mapper node at create instead of at the first resume. */
  addNodeOnCreate?: boolean;
  /**
   * `dm_task_set_cookie(dmt, &cookie, flags)` was called with these `DM_UDEV_*` flags (the task
   * then carries a udev cookie). Only resume, remove and rename ioctls pass it to the kernel.
   */
  udevFlags?: number;
  /** `--udevcookie`: join this udev transaction instead of making a new cookie. */
  udevCookie?: number;
}

/** `DM_UDEV_*` flags (libdm-common.h), carried in the top 16 bits of a cookie. */
export const DmUdevFlag = {
  DISABLE_DM_RULES: 0x0001,
  DISABLE_SUBSYSTEM_RULES: 0x0002,
  DISABLE_DISK_RULES: 0x0004,
  DISABLE_OTHER_RULES: 0x0008,
  LOW_PRIORITY: 0x0010,
  DISABLE_LIBRARY_FALLBACK: 0x0020,
  PRIMARY_SOURCE: 0x0040,
} as const;

/** `DM_UDEV_FLAGS_SHIFT`. */
const UDEV_FLAGS_SHIFT = 16;

/** How libdm synchronises with udev (`dm_udev_get_sync_support` and its inputs). */
export interface LibDmUdev {
  /** `DM_DISABLE_UDEV` is set: libdm makes the nodes and tells udev's dm rules to keep out. */
  readonly disabled: boolean;
  /** Waits until udev processed the events of a cookie; undefined when udev does not run. */
  readonly wait?: (() => Promise<void>) | undefined;
  /** 16 random bits for a new cookie (libdm reads /dev/urandom). */
  readonly random16?: (() => number) | undefined;
}

/** How libdm encodes characters outside its whitelist in names and uuids. */
export type ManglingMode = "none" | "auto" | "hex";

/** Characters a dm name may keep as they are (libdm's udev-friendly whitelist). */
function whitelisted(c: string): boolean {
  return /[0-9A-Za-z#+\-.:=@_]/.test(c);
}

/** libdm's `mangle_string`: other characters become `\xNN` (`auto` keeps existing escapes). */
export function mangleName(s: string, hex: boolean): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!hex && c === "\\" && s[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      out += s.slice(i, i + 4);
      i += 3;
      continue;
    }
    out += whitelisted(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  }
  return out;
}

/**
 * libdm's `unmangle_string`: `\xNN` escapes back to characters; `strict` refuses (null) a name
 * with characters that should have been mangled.
 */
export function unmangleName(s: string, strict: boolean): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (strict && !(whitelisted(c) || c === "\\")) return null;
    if (c === "\\" && s[i + 1] === "x" && /^[0-9a-fA-F]{2}/.test(s.slice(i + 2, i + 4))) {
      out += String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The /dev/mapper nodes libdm makes itself when udev does not (before `@udev`): one per device,
 * made at its first resume, removed with it, renamed with it.
 */
export interface MapperNodes {
  add(name: string): void;
  remove(name: string): void;
  rename(from: string, to: string): void;
  has(name: string): boolean;
}

/** `struct dm_info` as libdm gives it: `exists` false when the device is not there. */
export type TaskInfo = ({ readonly exists: true } & DmInfo) | { readonly exists: false };

/** What a successful task returns. */
export interface TaskResult {
  readonly info: TaskInfo;
  readonly lines?: readonly DmStatusLine[];
  readonly deps?: readonly DevT[];
  readonly names?: ReadonlyArray<{ name: string; devt: DevT; eventNr: number; uuid: string }>;
  readonly versions?: readonly DmTargetVersion[];
  readonly driverVersion?: readonly [number, number, number];
  readonly response?: string;
}

/** The libdm a tool process uses: the kernel's dm ioctls and its stderr. */
export class LibDm {
  readonly #dm: DmControl;
  readonly #err: (line: string) => void;
  /** Waits for udev to process the events of the last change (udev sync), when udev runs. */
  readonly #udevWait: (() => Promise<void>) | undefined;
  readonly #udevDisabled: boolean;
  readonly #random16: () => number;
  /** `dm_udev_set_sync_support` (`--noudevsync` turns it off). */
  #syncWithUdev = true;

  readonly #nodes: MapperNodes | undefined;
  #mangling: ManglingMode = "auto";

  /**
   * @param udev how udev runs; a bare wait function (or nothing) is the older form: udev syncing
   *   when given, `DM_DISABLE_UDEV` when not.
   */
  constructor(
    dm: DmControl,
    err: (line: string) => void,
    udev?: LibDmUdev | (() => Promise<void>),
    nodes?: MapperNodes,
  ) {
    this.#dm = dm;
    this.#err = err;
    const u: LibDmUdev =
      typeof udev === "function" ? { disabled: false, wait: udev } : (udev ?? { disabled: true });
    this.#udevWait = u.wait;
    this.#udevDisabled = u.disabled;
    let seed = 0x2545;
    this.#random16 =
      u.random16 ??
      (() => {
        // A fixed sequence when the machine gives no randomness (tests).
        seed = (seed * 75 + 74) % 65537;
        return seed & 0xffff;
      });
    this.#nodes = nodes;
  }

  /** `dm_udev_set_sync_support(0)` (`--noudevsync`). */
  set syncWithUdev(on: boolean) {
    this.#syncWithUdev = on;
  }

  /** `dm_udev_get_sync_support`: udev runs, is not disabled, and syncing is wanted. */
  get udevSync(): boolean {
    return this.#udevWait !== undefined && !this.#udevDisabled && this.#syncWithUdev;
  }

  /**
   * `dm_task_set_cookie` (the flags, and a new cookie's random low half when syncing with udev)
   * plus what `_do_dm_ioctl` adds for an ioctl that makes a uevent: the event_nr the kernel
   * sends as `DM_COOKIE`.
   */
  #cookie(t: DmTask, low: number | undefined): number {
    let flags = 0;
    if (t.udevFlags !== undefined) {
      flags = t.udevFlags;
      // DM_DISABLE_UDEV: libdm makes the nodes; udev's dm and subsystem rules must keep out.
      if (this.#udevDisabled)
        flags =
          (flags & ~DmUdevFlag.DISABLE_LIBRARY_FALLBACK) |
          DmUdevFlag.DISABLE_DM_RULES |
          DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
    } else if (this.udevSync) {
      // A task without a cookie while udev syncs: fall back to libdm's nodes, keep the disk rules.
      flags = DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
    }
    // Every uevent libdm causes is marked as its own.
    flags |= DmUdevFlag.PRIMARY_SOURCE;
    const lowBits = t.udevFlags !== undefined && this.udevSync ? (low ?? this.#newCookieLow(t)) & 0xffff : 0;
    return (flags * 2 ** UDEV_FLAGS_SHIFT + lowBits) >>> 0;
  }

  /** The low half of a new cookie (`_udev_notify_sem_create`: random, never 0). */
  #newCookieLow(t: DmTask): number {
    if (t.udevCookie !== undefined) return t.udevCookie & 0xffff;
    let v = 0;
    while (v === 0) v = this.#random16() & 0xffff;
    return v;
  }

  /** Waits for udev after a task that set a cookie, unless it joined a caller's transaction. */
  async #waitUdev(t: DmTask): Promise<void> {
    if (!this.#udevWait || !this.#syncWithUdev || t.udevCookie !== undefined) return;
    await this.#udevWait();
  }

  /** `dm_set_name_mangling_mode` (Debian's default is `auto`). */
  set mangling(mode: ManglingMode) {
    this.#mangling = mode;
  }

  get mangling(): ManglingMode {
    return this.#mangling;
  }

  /** libdm's node bookkeeping after a successful ioctl (`_dm_task_run`'s tail). */
  #nodeOps(t: DmTask, r: TaskResult): void {
    const nodes = this.#nodes;
    if (!nodes) return;
    const name = r.info.exists ? r.info.name : t.name;
    switch (t.type) {
      case "create":
        if (t.addNodeOnCreate && name !== undefined) nodes.add(name);
        break;
      case "resume":
        if (name !== undefined) nodes.add(name);
        break;
      case "remove":
        // A deferred remove of a device still open leaves the device, and its node, in place.
        if (t.deferred && r.info.exists && r.info.deferredRemove) break;
        if (name !== undefined) nodes.remove(name);
        break;
      case "rename":
        if (t.newUuid === undefined && t.name !== undefined && t.newName !== undefined)
          nodes.rename(t.name, t.newName);
        break;
      case "mknodes":
        if (r.info.exists) nodes.add(r.info.name);
        else if (t.name !== undefined) nodes.remove(t.name);
        break;
      default:
        break;
    }
  }

  get dm(): DmControl {
    return this.#dm;
  }

  /** `log_error`. */
  error(line: string): void {
    this.#err(line);
  }

  #ref(t: DmTask): DmRef {
    if (t.uuid !== undefined) return { uuid: t.uuid };
    if (t.name !== undefined) return t.name;
    return { devt: mkdev(t.major ?? 0, t.minor ?? 0) };
  }

  #ioctlError(t: DmTask, errno: number): void {
    const major = t.major ?? -1;
    const minor = t.minor ?? -1;
    const dev = major > 0 ? `(${major}:${Math.max(minor, 0)})` : "";
    this.#err(
      `device-mapper: ${t.type} ioctl on ${t.name ?? ""} ${t.uuid ?? ""}${dev} failed: ${strerror(errno)}`,
    );
  }

  /** Runs a task: the result, or null after logging the failure (as `dm_task_run` returning 0). */
  async run(
    t: DmTask,
    retry?: { readonly busyRetries: number; readonly sleep: (ns: number) => Promise<void> },
  ): Promise<TaskResult | null> {
    const k = this.#prepare(t);
    if (!k) return null;
    const r =
      k.type === "create" && k.targets !== undefined
        ? await this.#createAndLoad(k)
        : await this.#runKernel(k, retry);
    return r ? this.#unmangleResult(k, r) : null;
  }

  /** The task as the kernel sees it: names and uuids mangled (`dm_task_set_name` & co.). */
  #prepare(t: DmTask): DmTask | null {
    if (this.#mangling === "none") return t;
    const k: DmTask = { ...t };
    const fields: Array<["name" | "uuid" | "newName" | "newUuid", string]> = [
      ["name", "name"],
      ["uuid", "UUID"],
      ["newName", "new name"],
      ["newUuid", "new UUID"],
    ];
    for (const [field, what] of fields) {
      const v = t[field];
      if (v === undefined) continue;
      if (this.#mangling === "auto" && v.includes("\\x5cx")) {
        this.#err(`The ${what} "${v}" seems to be mangled more than once. This is not allowed in auto mode.`);
        return null;
      }
      k[field] = mangleName(v, this.#mangling === "hex");
    }
    return k;
  }

  /** libdm unmangles every name the kernel returns; a name that cannot be is an error. */
  #unmangleResult(t: DmTask, r: TaskResult): TaskResult | null {
    if (this.#mangling === "none") return r;
    const un = (s: string, what: string): string | null => {
      const u = unmangleName(s, true);
      if (u === null)
        this.#err(`The ${what} "${s}" should be mangled but it contains blacklisted characters.`);
      return u;
    };
    let info = r.info;
    if (info.exists) {
      const name = un(info.name, "name");
      if (name === null) return null;
      const uuid = t.type === "remove" ? info.uuid : un(info.uuid, "UUID");
      if (uuid === null) return null;
      info = { ...info, name, uuid };
    }
    let names = r.names;
    if (names) {
      const out: Array<{ name: string; devt: DevT; eventNr: number; uuid: string }> = [];
      for (const e of names) {
        const name = un(e.name, "name");
        const uuid = un(e.uuid, "UUID");
        if (name === null || uuid === null) return null;
        out.push({ ...e, name, uuid });
      }
      names = out;
    }
    return { ...r, info, ...(names ? { names } : {}) };
  }

  async #runKernel(
    t: DmTask,
    retry?: { readonly busyRetries: number; readonly sleep: (ns: number) => Promise<void> },
  ): Promise<TaskResult | null> {
    let r = this.#ioctl(t);
    // `--retry`: a remove that finds the device busy is tried again, 0.2 s apart.
    for (let i = 0; retry && !r.ok && r.errno === Errno.EBUSY && i < retry.busyRetries; i++) {
      await retry.sleep(200_000_000);
      r = this.#ioctl(t);
    }
    if (!r.ok) {
      // libdm turns ENXIO on these into "device does not exist" instead of an error.
      if (r.errno === Errno.ENXIO && (t.type === "info" || t.type === "mknodes" || t.type === "status")) {
        const gone: TaskResult = { info: { exists: false } };
        this.#nodeOps(t, gone);
        return gone;
      }
      this.#ioctlError(t, r.errno);
      return null;
    }
    this.#nodeOps(t, r.value);
    if (t.type === "resume" || t.type === "remove" || t.type === "rename" || t.type === "create")
      await this.#waitUdev(t);
    return r.value;
  }

  #info(i: DmInfo): TaskInfo {
    return { exists: true, ...i };
  }

  #ioctl(t: DmTask, cookieLow?: number): DmResult<TaskResult> {
    const dm = this.#dm;
    // resume, remove and rename make uevents: they carry the cookie (DM_COOKIE).
    const withUevent = t.type === "resume" || t.type === "remove" || t.type === "rename";
    const cookie = withUevent ? this.#cookie(t, cookieLow) : 0;
    const wrap = (r: DmResult<DmInfo>): DmResult<TaskResult> =>
      r.ok ? { ok: true, value: { info: this.#info(r.value) } } : r;
    switch (t.type) {
      case "create": {
        const opts: { uuid?: string; readOnly?: boolean } = {};
        if (t.uuid !== undefined) opts.uuid = t.uuid;
        if (t.readOnly) opts.readOnly = true;
        if (t.name === undefined) return { ok: false, errno: Errno.EINVAL };
        return wrap(dm.create(t.name, opts));
      }
      case "reload":
        return wrap(dm.load(this.#ref(t), t.targets ?? [], t.readOnly ? { readOnly: true } : {}));
      case "remove":
        return wrap(dm.remove(this.#ref(t), { ...(t.deferred ? { deferred: true } : {}), cookie }));
      case "suspend": {
        const o: { noflush?: boolean; skipLockfs?: boolean } = {};
        if (t.noFlush) o.noflush = true;
        if (t.skipLockfs) o.skipLockfs = true;
        return wrap(dm.suspend(this.#ref(t), o));
      }
      case "resume":
        return wrap(dm.resume(this.#ref(t), { cookie }));
      case "clear":
        return wrap(dm.clear(this.#ref(t)));
      case "info":
      case "mknodes":
        return wrap(dm.info(this.#ref(t)));
      case "rename":
        if (t.newUuid !== undefined)
          return wrap(dm.rename(this.#ref(t), t.newUuid, { setUuid: true, cookie }));
        return wrap(dm.rename(this.#ref(t), t.newName ?? "", { cookie }));
      case "deps": {
        const r = dm.deps(this.#ref(t), t.inactive ? { inactive: true } : {});
        return r.ok ? { ok: true, value: { info: this.#info(r.value.info), deps: r.value.deps } } : r;
      }
      case "status":
      case "table": {
        const kind = t.type === "table" ? "table" : t.ima ? "ima" : "info";
        const r = dm.status(this.#ref(t), { kind, ...(t.inactive ? { inactive: true } : {}) });
        return r.ok ? { ok: true, value: { info: this.#info(r.value.info), lines: r.value.lines } } : r;
      }
      case "message": {
        const r = dm.message(this.#ref(t), t.sector ?? 0, t.message ?? "");
        if (!r.ok) return r;
        return { ok: true, value: { info: { exists: false }, response: r.value } };
      }
      case "names":
        return { ok: true, value: { info: { exists: false }, names: dm.list() } };
      case "versions":
        return { ok: true, value: { info: { exists: false }, versions: dm.targets() } };
      case "target-version": {
        const v = dm.targets().find((x) => x.name === t.name);
        if (!v) return { ok: false, errno: Errno.EINVAL };
        return { ok: true, value: { info: { exists: false }, versions: [v] } };
      }
      case "version":
        return { ok: true, value: { info: { exists: false }, driverVersion: dm.version() } };
      case "waitevent":
        // Waiting is asynchronous: dmsetup's `wait` uses waitEvent() directly.
        return wrap(dm.info(this.#ref(t)));
      default: {
        const never: never = t.type;
        throw new Error(`unknown task ${String(never)}`);
      }
    }
  }

  /** `_create_and_load_v4`: create, load the table, resume; on failure remove again. */
  async #createAndLoad(t: DmTask): Promise<TaskResult | null> {
    // One cookie for the whole sequence: the resume, or the remove that reverts the create.
    const low = t.udevFlags !== undefined && this.udevSync ? this.#newCookieLow(t) : undefined;
    const udev: Pick<DmTask, "udevFlags" | "udevCookie"> = {};
    if (t.udevFlags !== undefined) udev.udevFlags = t.udevFlags;
    if (t.udevCookie !== undefined) udev.udevCookie = t.udevCookie;
    const create: DmTask = { type: "create" };
    if (t.name !== undefined) create.name = t.name;
    if (t.uuid !== undefined) create.uuid = t.uuid;
    if (t.major !== undefined) create.major = t.major;
    if (t.minor !== undefined) create.minor = t.minor;
    const created = this.#ioctl(create);
    if (!created.ok) {
      this.#ioctlError(create, created.errno);
      return null;
    }
    if (!created.value.info.exists) return null;
    const { devt } = created.value.info;
    const load: DmTask = {
      type: "reload",
      major: devMajor(devt),
      minor: devMinor(devt),
      targets: t.targets ?? [],
    };
    if (t.name !== undefined) load.name = t.name;
    if (t.readOnly) load.readOnly = true;
    const loaded = this.#ioctl(load);
    if (loaded.ok) {
      const resume: DmTask = { type: "resume", ...udev };
      if (t.name !== undefined) resume.name = t.name;
      if (t.major !== undefined) resume.major = t.major;
      if (t.minor !== undefined) resume.minor = t.minor;
      const resumed = this.#ioctl(resume, low);
      if (resumed.ok) {
        this.#nodeOps(resume, resumed.value);
        await this.#waitUdev(t);
        return resumed.value;
      }
      this.#ioctlError(resume, resumed.errno);
    } else {
      this.#ioctlError(load, loaded.errno);
    }
    const revert: DmTask = { type: "remove", ...udev };
    if (t.name !== undefined) revert.name = t.name;
    if (t.major !== undefined) revert.major = t.major;
    if (t.minor !== undefined) revert.minor = t.minor;
    const removed = this.#ioctl(revert, low);
    if (removed.ok) {
      this.#nodeOps(revert, removed.value);
      await this.#waitUdev(t);
    }
    if (!removed.ok) {
      this.#ioctlError(revert, removed.errno);
      this.#err("Failed to revert device creation.");
    }
    return null;
  }
}
