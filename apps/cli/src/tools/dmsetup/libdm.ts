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

  constructor(dm: DmControl, err: (line: string) => void, udevWait?: () => Promise<void>) {
    this.#dm = dm;
    this.#err = err;
    this.#udevWait = udevWait;
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
    if (t.type === "create" && t.targets !== undefined) return this.#createAndLoad(t);
    let r = this.#ioctl(t);
    // `--retry`: a remove that finds the device busy is tried again, 0.2 s apart.
    for (let i = 0; retry && !r.ok && r.errno === Errno.EBUSY && i < retry.busyRetries; i++) {
      await retry.sleep(200_000_000);
      r = this.#ioctl(t);
    }
    if (!r.ok) {
      // libdm turns ENXIO on these into "device does not exist" instead of an error.
      if (r.errno === Errno.ENXIO && (t.type === "info" || t.type === "mknodes" || t.type === "status")) {
        return { info: { exists: false } };
      }
      this.#ioctlError(t, r.errno);
      return null;
    }
    if (
      this.#udevWait &&
      (t.type === "resume" || t.type === "remove" || t.type === "rename" || t.type === "create")
    ) {
      await this.#udevWait();
    }
    return r.value;
  }

  #info(i: DmInfo): TaskInfo {
    return { exists: true, ...i };
  }

  #ioctl(t: DmTask): DmResult<TaskResult> {
    const dm = this.#dm;
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
        return wrap(dm.remove(this.#ref(t), t.deferred ? { deferred: true } : {}));
      case "suspend": {
        const o: { noflush?: boolean; skipLockfs?: boolean } = {};
        if (t.noFlush) o.noflush = true;
        if (t.skipLockfs) o.skipLockfs = true;
        return wrap(dm.suspend(this.#ref(t), o));
      }
      case "resume":
        return wrap(dm.resume(this.#ref(t)));
      case "clear":
        return wrap(dm.clear(this.#ref(t)));
      case "info":
      case "mknodes":
        return wrap(dm.info(this.#ref(t)));
      case "rename":
        if (t.newUuid !== undefined) return wrap(dm.rename(this.#ref(t), t.newUuid, { setUuid: true }));
        return wrap(dm.rename(this.#ref(t), t.newName ?? ""));
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
      const resume: DmTask = { type: "resume" };
      if (t.name !== undefined) resume.name = t.name;
      if (t.major !== undefined) resume.major = t.major;
      if (t.minor !== undefined) resume.minor = t.minor;
      const resumed = this.#ioctl(resume);
      if (resumed.ok) {
        if (this.#udevWait) await this.#udevWait();
        return resumed.value;
      }
      this.#ioctlError(resume, resumed.errno);
    } else {
      this.#ioctlError(load, loaded.errno);
    }
    const revert: DmTask = { type: "remove" };
    if (t.name !== undefined) revert.name = t.name;
    if (t.major !== undefined) revert.major = t.major;
    if (t.minor !== undefined) revert.minor = t.minor;
    const removed = this.#ioctl(revert);
    if (!removed.ok) {
      this.#ioctlError(revert, removed.errno);
      this.#err("Failed to revert device creation.");
    }
    return null;
  }
}
