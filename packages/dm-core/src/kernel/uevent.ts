/** A kernel uevent (`kobject_uevent_env`), as udev receives it before processing. */
export interface Uevent {
  /** Global sequence number (`SEQNUM`). */
  readonly seqnum: number;
  readonly action: "add" | "remove" | "change" | "move" | "online" | "offline" | "bind" | "unbind";
  /** `/devices/...` path without `/sys`. */
  readonly devpath: string;
  /** `block`, `scsi`, `scsi_device`, `nvme`, … */
  readonly subsystem: string;
  /**
   * The environment in the kernel's order (`ACTION`, `DEVPATH`, `SUBSYSTEM` come first and are
   * also mirrored in the fields above; then `MAJOR`, `MINOR`, `DEVNAME`, `DEVTYPE`, `DM_*` …).
   */
  readonly env: ReadonlyArray<readonly [string, string]>;
}

/** Fields a caller supplies; the bus adds the sequence number and the standard variables. */
export interface UeventInit {
  readonly action: Uevent["action"];
  readonly devpath: string;
  readonly subsystem: string;
  /** Extra variables, in order (e.g. `MAJOR`, `MINOR`, `DEVNAME`, `DEVTYPE`, `DM_ACTION` …). */
  readonly env?: ReadonlyArray<readonly [string, string]>;
}

/** The kernel's uevent netlink socket: every emitted event goes to every subscriber in order. */
export class UeventBus {
  #seqnum = 0;
  readonly #listeners = new Set<(e: Uevent) => void>();

  emit(init: UeventInit): Uevent {
    const seqnum = ++this.#seqnum;
    const env: Array<readonly [string, string]> = [
      ["ACTION", init.action],
      ["DEVPATH", init.devpath],
      ["SUBSYSTEM", init.subsystem],
      ...(init.env ?? []),
      ["SEQNUM", String(seqnum)],
    ];
    const e: Uevent = { seqnum, action: init.action, devpath: init.devpath, subsystem: init.subsystem, env };
    for (const l of this.#listeners) l(e);
    return e;
  }

  subscribe(fn: (e: Uevent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The last sequence number emitted. */
  get seqnum(): number {
    return this.#seqnum;
  }
}

/** Reads one variable from a uevent's environment. */
export function ueventVar(e: Uevent, name: string): string | undefined {
  for (const [k, v] of e.env) if (k === name) return v;
  return undefined;
}
