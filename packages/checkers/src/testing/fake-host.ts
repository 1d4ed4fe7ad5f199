import {
  type Bio,
  BlkStatus as Blk,
  type BlkStatus,
  type BlockHandle,
  bioEndio,
  type DevT,
  type DmControl,
  type FileStore,
  type Host,
  HostStatus,
  type KernelLogLine,
  mkdev,
  SamStatus,
  type ScsiCommand,
  type ScsiResult,
  type SenseData,
  type SysfsView,
  type UdevDevice,
  type UdevView,
  VirtualClock,
} from "@mp/dm-core";

/**
 * A scripted `Host` for the checker and prioritizer tests: SCSI devices answer SG_IO through a
 * responder after a latency on a virtual clock, block devices answer direct reads, sysfs and
 * udev are plain maps. Internal to the package.
 */

/** One SG_IO answer: a SCSI result, an ioctl errno, or no answer at all (the command times out). */
export type FakeSgReply =
  | {
      readonly status?: number;
      readonly hostStatus?: number;
      readonly sense?: SenseData | null;
      readonly data?: Uint8Array | null;
      readonly latencyNs?: number;
    }
  | { readonly errno: number }
  | { readonly hang: true };

export type FakeSgResponder = (cmd: ScsiCommand) => FakeSgReply;

interface FakeScsi {
  responder: FakeSgResponder;
  latencyNs: number;
  readonly sent: ScsiCommand[];
}

/** How a fake block device answers direct reads. */
export interface FakeBlockInit {
  readonly logicalBlockSize?: number;
  readonly sizeSectors?: number;
  /** Latency of each read: a number, or a function of the read's index. */
  readonly latencyNs?: number | ((i: number) => number);
  /** Status of each read (default OK). */
  readonly status?: BlkStatus | ((i: number) => BlkStatus);
  /** Never complete reads. */
  readonly hang?: boolean;
}

interface FakeBlock {
  init: FakeBlockInit;
  reads: number;
  opens: number;
  closes: number;
}

/** The kernel's SG_IO timeout rules: 0 → 60 s, at least 7 s. */
function sgTimeoutNs(ms: number): number {
  const t = ms === 0 ? 60_000 : Math.max(ms, 7_000);
  return t * 1_000_000;
}

export class FakeHost implements Host {
  readonly clock = new VirtualClock();
  readonly kernelRelease = "6.1.0-mp";
  readonly #attrs = new Map<string, string>();
  readonly #links = new Map<string, string>();
  readonly #scsi = new Map<string, FakeScsi>();
  readonly #blocks = new Map<string, FakeBlock>();
  readonly udevDevices: UdevDevice[] = [];

  readonly sysfs: SysfsView = {
    read: (path) => this.#attrs.get(path) ?? null,
    write: () => 13,
    list: (dir) => {
      const prefix = dir.endsWith("/") ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const p of [...this.#attrs.keys(), ...this.#links.keys()]) {
        if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
      }
      return names.size ? [...names].sort() : null;
    },
    readlink: (path) => this.#links.get(path) ?? null,
  };

  readonly udev: UdevView = {
    enumerate: (f) =>
      this.udevDevices.filter(
        (d) => d.subsystem === f.subsystem && (f.devtype === undefined || d.devtype === f.devtype),
      ),
    device: (subsystem, sysname) =>
      this.udevDevices.find((d) => d.subsystem === subsystem && d.sysname === sysname) ?? null,
    subscribe: () => () => {},
    settled: () => true,
  };

  readonly dm: DmControl = new Proxy({} as DmControl, {
    get: () => {
      throw new Error("FakeHost: dm is not modelled");
    },
  });

  readonly #files = new Map<string, string>();
  readonly files: FileStore = {
    read: (p) => this.#files.get(p) ?? null,
    write: (p, c) => {
      this.#files.set(p, c);
      return 0;
    },
    remove: (p) => (this.#files.delete(p) ? 0 : 2),
    list: () => null,
  };

  /** Sets a sysfs attribute (text as `cat` prints it; binary as one character per byte). */
  setAttr(path: string, value: string | Uint8Array | null): void {
    if (value === null) this.#attrs.delete(path);
    else this.#attrs.set(path, typeof value === "string" ? value : String.fromCharCode(...value));
  }

  setLink(path: string, target: string): void {
    this.#links.set(path, target);
  }

  /** A SCSI device `dev` (its sysfs directory appears with a `state` of `running`). */
  addScsi(dev: string, responder: FakeSgResponder, latencyNs = 100_000): FakeScsi {
    const s: FakeScsi = { responder, latencyNs, sent: [] };
    this.#scsi.set(dev, s);
    if (!this.#attrs.has(`/sys/block/${dev}/device/state`))
      this.setAttr(`/sys/block/${dev}/device/state`, "running\n");
    return s;
  }

  /** Commands sent to `dev`. */
  sent(dev: string): ScsiCommand[] {
    return this.#scsi.get(dev)?.sent ?? [];
  }

  addBlock(dev: string, init: FakeBlockInit = {}): FakeBlock {
    const b: FakeBlock = { init, reads: 0, opens: 0, closes: 0 };
    this.#blocks.set(dev, b);
    return b;
  }

  block(dev: string): FakeBlock | undefined {
    return this.#blocks.get(dev);
  }

  sgIo(
    dev: string | DevT,
    cmd: ScsiCommand,
    done: (r: ScsiResult | { readonly errno: number }) => void,
  ): void {
    const name = typeof dev === "number" ? String(dev) : dev.replace(/^\/dev\//, "");
    const s = this.#scsi.get(name);
    if (!s) {
      this.clock.schedule(0, done, { errno: 25 });
      return;
    }
    s.sent.push(cmd);
    const r = s.responder(cmd);
    if ("errno" in r) {
      this.clock.schedule(0, done, { errno: r.errno });
      return;
    }
    const timeout = sgTimeoutNs(cmd.timeoutMs);
    if ("hang" in r || (r.latencyNs ?? s.latencyNs) > timeout) {
      const res: ScsiResult = {
        status: 0,
        hostStatus: HostStatus.DID_TIME_OUT,
        sense: null,
        data: null,
        resid: 0,
      };
      this.clock.schedule(timeout, done, res);
      return;
    }
    const sense = r.sense ?? null;
    const status = r.status ?? (sense ? SamStatus.CHECK_CONDITION : SamStatus.GOOD);
    const alloc = cmd.allocationLength ?? 0;
    const data =
      r.data && cmd.direction === "from-device" ? r.data.slice(0, Math.min(alloc, r.data.length)) : null;
    const res: ScsiResult = {
      status,
      hostStatus: r.hostStatus ?? HostStatus.DID_OK,
      sense: status === SamStatus.CHECK_CONDITION ? sense : null,
      data,
      resid: cmd.direction === "from-device" ? alloc - (data?.length ?? 0) : 0,
    };
    this.clock.schedule(r.latencyNs ?? s.latencyNs, done, res);
  }

  openBlock(dev: string | DevT): BlockHandle | { readonly errno: number } {
    const name = typeof dev === "number" ? String(dev) : dev.replace(/^\/dev\//, "");
    const b = this.#blocks.get(name);
    if (!b) return { errno: 6 };
    b.opens++;
    const clock = this.clock;
    let closed = false;
    return {
      devt: mkdev(8, 0),
      logicalBlockSize: b.init.logicalBlockSize ?? 512,
      sizeSectors: () => b.init.sizeSectors ?? 32768,
      submit(bio: Bio): void {
        const i = b.reads++;
        if (closed) {
          clock.schedule(0, (x: Bio) => bioEndio(x, Blk.IOERR), bio);
          return;
        }
        if (b.init.hang) return;
        const lat =
          typeof b.init.latencyNs === "function" ? b.init.latencyNs(i) : (b.init.latencyNs ?? 200_000);
        const st = typeof b.init.status === "function" ? b.init.status(i) : (b.init.status ?? Blk.OK);
        clock.schedule(lat, (x: Bio) => bioEndio(x, st), bio);
      },
      close(): void {
        closed = true;
        b.closes++;
      },
    };
  }

  kernelLog(_cursor: number): KernelLogLine[] {
    return [];
  }

  kernelLogCursor(): number {
    return 0;
  }
}

/** A udev device record for `enumerate` (by-path links for the `iet` prioritizer). */
export function udevBlock(sysname: string, devlinks: string[]): UdevDevice {
  return {
    syspath: `/sys/devices/virtual/block/${sysname}`,
    sysname,
    subsystem: "block",
    devtype: "disk",
    devnode: `/dev/${sysname}`,
    devnum: undefined,
    properties: new Map(),
    devlinks,
  };
}

/** A log collector for tests. */
export function collectLog(): { log: (prio: number, msg: string) => void; lines: Array<[number, string]> } {
  const lines: Array<[number, string]> = [];
  return { log: (prio, msg) => lines.push([prio, msg]), lines };
}
