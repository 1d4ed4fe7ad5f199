import { type Bio, bioEndio } from "../../block/bio.js";
import type { BlockDevice } from "../../block/block-device.js";
import type { DevT } from "../../block/devt.js";
import { BlkStatus } from "../../block/status.js";
import type { Clock } from "../../clock/clock.js";
import type { ScsiDevice } from "../../scsi/scsi-device.js";

/** Options of a {@link FakeBlockDevice}. */
export interface FakeBlockDeviceOptions {
  readonly devt: DevT;
  readonly name: string;
  readonly sizeSectors: number;
  /** Completion latency (default 100 µs). */
  readonly latencyNs?: number;
  readonly requestStackable?: boolean;
  readonly scsi?: ScsiDevice;
}

/**
 * A path device for tests: completes every bio once, on the clock, after `latencyNs`, with the
 * next status of {@link FakeBlockDevice.script} or else {@link FakeBlockDevice.defaultStatus}.
 * `hold` keeps I/O in flight until {@link FakeBlockDevice.release}.
 */
export class FakeBlockDevice implements BlockDevice {
  readonly devt: DevT;
  readonly name: string;
  readonly logicalBlockSize = 512;
  readonly requestStackable: boolean;
  readonly partition = false;
  readonly scsi: ScsiDevice | undefined;
  latencyNs: number;
  /** Statuses for the next completions, consumed in submission order. */
  readonly script: BlkStatus[] = [];
  defaultStatus: BlkStatus = BlkStatus.OK;
  /** While true, submitted bios stay in flight. */
  hold = false;
  isDying = false;
  submitted = 0;
  completed = 0;
  /** Flags of every submitted bio, in order. */
  readonly flagsSeen: number[] = [];
  readonly #clock: Clock;
  readonly #size: number;
  readonly #held: Bio[] = [];
  #inFlight = 0;
  readonly #complete = (bio: Bio): void => {
    this.#inFlight--;
    this.completed++;
    const status = bio.driverData as BlkStatus;
    bio.driverData = null;
    bioEndio(bio, status);
  };

  constructor(clock: Clock, opts: FakeBlockDeviceOptions) {
    this.#clock = clock;
    this.devt = opts.devt;
    this.name = opts.name;
    this.#size = opts.sizeSectors;
    this.latencyNs = opts.latencyNs ?? 100_000;
    this.requestStackable = opts.requestStackable ?? true;
    this.scsi = opts.scsi;
  }

  sizeSectors(): number {
    return this.#size;
  }

  readOnly(): boolean {
    return false;
  }

  dying(): boolean {
    return this.isDying;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  submit(bio: Bio): void {
    this.submitted++;
    this.#inFlight++;
    this.flagsSeen.push(bio.flags);
    bio.driverData = this.script.shift() ?? this.defaultStatus;
    if (this.hold) {
      this.#held.push(bio);
      return;
    }
    this.#clock.schedule(this.latencyNs, this.#complete, bio);
  }

  /** Completes every held bio (with `status`, or its scripted status). */
  release(status?: BlkStatus): void {
    this.hold = false;
    for (const bio of this.#held.splice(0)) {
      if (status !== undefined) bio.driverData = status;
      this.#clock.schedule(0, this.#complete, bio);
    }
  }
}
