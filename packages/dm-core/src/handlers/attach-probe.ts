import type { ScsiDevice } from "../scsi/scsi-device.js";
import type { ScsiDhEnv, ScsiDhInstance } from "./handler.js";
import { ScsiDhResult } from "./handler.js";
import { scsiDhAttachFailed } from "./scsi-dh.js";

/**
 * The emc, rdac and hp_sw handlers read the device at attach (VPD pages, TUR) and fail the
 * attach when that does not work. `attach` here must return at once, so they return the
 * instance and run the probe on the clock; activations wait for it. A failed probe detaches the
 * instance again (`sdev.handler` back to null, as if the attach had failed: the kernel logs the
 * same `Attach failed`) and completes waiting activations with NOSYS, which is what
 * `scsi_dh_activate` answers for a device without a handler.
 */
export class AttachProbe {
  #state: "probing" | "ready" | "failed" = "probing";
  readonly #waiting: Array<() => void> = [];

  get ready(): boolean {
    return this.#state === "ready";
  }

  get failed(): boolean {
    return this.#state === "failed";
  }

  /** Runs `fn` now when the probe is over, else when it ends. */
  whenDone(fn: () => void): void {
    if (this.#state === "probing") this.#waiting.push(fn);
    else fn();
  }

  /** The probe succeeded. */
  succeed(): void {
    this.#state = "ready";
    for (const fn of this.#waiting.splice(0)) fn();
  }

  /** The probe failed with a SCSI_DH code: undo the attach and log as `scsi_dh_handler_attach`. */
  fail(sdev: ScsiDevice, env: ScsiDhEnv, name: string, code: number, inst: ScsiDhInstance): void {
    this.#state = "failed";
    if (sdev.handler === inst) sdev.handler = null;
    scsiDhAttachFailed(sdev, env, name, code);
    for (const fn of this.#waiting.splice(0)) fn();
  }

  /** What an activation gets once the probe failed. */
  static readonly FAILED_RESULT = ScsiDhResult.NOSYS;
}
