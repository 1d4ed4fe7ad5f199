import type { Bio } from "../../block/bio.js";
import { BlkStatus } from "../../block/status.js";
import type { Clock } from "../../clock/clock.js";
import {
  type ScsiDeviceHandlerType,
  type ScsiDhEnv,
  type ScsiDhInstance,
  ScsiDhResult,
  ScsiDisposition,
} from "../../handlers/handler.js";
import {
  SamStatus,
  type ScsiCommand,
  type ScsiDevice,
  type ScsiDeviceState,
  type ScsiResult,
} from "../../scsi/scsi-device.js";

/** A SCSI device behind a fake path: answers every passthrough command GOOD. */
export class FakeScsiDevice implements ScsiDevice {
  readonly channel = 0;
  readonly target = 0;
  readonly type = 0;
  state: ScsiDeviceState = "running";
  readonly vendor = "Linux   ";
  readonly model = "scsi_debug      ";
  readonly rev = "0191";
  readonly timeoutSecs = 30;
  accessState = 0;
  handler: ScsiDhInstance | null = null;
  /** Standard INQUIRY without TPGS. */
  readonly inquiry = new Uint8Array(36);
  readonly vpdPg80: Uint8Array | null = null;
  readonly vpdPg83: Uint8Array | null = null;
  readonly driver: string | null = "sd";
  readonly #clock: Clock;

  constructor(
    clock: Clock,
    readonly host: number,
    readonly lun = 0,
  ) {
    this.#clock = clock;
  }

  execute(_cmd: ScsiCommand, done: (result: ScsiResult) => void): void {
    const r: ScsiResult = { status: SamStatus.GOOD, hostStatus: 0, sense: null, data: null, resid: 0 };
    this.#clock.schedule(0, done, r);
  }
}

/** A handler instance whose activations complete after `delayNs` with scripted results. */
export class FakeDhInstance implements ScsiDhInstance {
  /** Results of the next activations, in order; then {@link FakeDhInstance.defaultResult}. */
  readonly results: ScsiDhResult[] = [];
  defaultResult: ScsiDhResult = ScsiDhResult.OK;
  delayNs = 1_000_000;
  activations = 0;
  readonly params: Array<readonly string[]> = [];
  setParamsResult = 0;
  readonly #clock: Clock;

  constructor(
    readonly name: string,
    clock: Clock,
  ) {
    this.#clock = clock;
  }

  activate(done: (result: ScsiDhResult) => void): void {
    this.activations++;
    const r = this.results.shift() ?? this.defaultResult;
    this.#clock.schedule(this.delayNs, done, r);
  }

  prepFn(_bio: Bio): BlkStatus {
    return BlkStatus.OK;
  }

  checkSense(): ScsiDisposition {
    return ScsiDisposition.SCSI_RETURN_NOT_HANDLED;
  }

  setParams(args: readonly string[]): number {
    this.params.push(args);
    return this.setParamsResult;
  }

  rescan(): void {}

  detach(): void {}
}

/** A handler type that attaches a {@link FakeDhInstance} (or fails with `attachErrno`). */
export function fakeHandlerType(
  name: string,
  opts: { attachErrno?: number; onAttach?: (inst: FakeDhInstance) => void } = {},
): ScsiDeviceHandlerType {
  return {
    name,
    attach(_sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number {
      if (opts.attachErrno !== undefined) return opts.attachErrno;
      const inst = new FakeDhInstance(name, env.clock);
      opts.onAttach?.(inst);
      return inst;
    },
  };
}
