import type { Clock } from "../../clock/clock.js";
import type { ScsiDhInstance } from "../../handlers/handler.js";
import { ScsiDisposition } from "../../handlers/handler.js";
import { buildStandardInquiry } from "../cdb.js";
import {
  HostStatus,
  SamStatus,
  type ScsiCommand,
  type ScsiDevice,
  type ScsiDeviceState,
  type ScsiResult,
  type SenseData,
} from "../scsi-device.js";

/**
 * A scripted SCSI device for tests: every command is answered by a responder function (or a
 * queued one-shot injection), after a latency on the clock. Records what it was sent.
 */

/** How the fake answers one command. */
export interface FakeScsiResponse {
  /** SAM status (default GOOD, or CHECK CONDITION when `sense` is given). */
  readonly status?: number;
  readonly hostStatus?: number;
  readonly sense?: SenseData | null;
  /** Data-in; truncated to the command's allocation length. */
  readonly data?: Uint8Array | null;
  /** Override of the device latency for this answer. */
  readonly latencyNs?: number;
  /** Never answer: the command times out after its `timeoutMs` with DID_TIME_OUT. */
  readonly hang?: boolean;
}

/** Answers a command; `dev` lets a responder read or change the device (e.g. its state). */
export type FakeResponder = (cmd: ScsiCommand, dev: FakeScsiDevice) => FakeScsiResponse;

/** Initial fields of a {@link FakeScsiDevice}. */
export interface FakeScsiDeviceInit {
  readonly host?: number;
  readonly channel?: number;
  readonly target?: number;
  readonly lun?: number;
  readonly type?: number;
  readonly vendor?: string;
  readonly model?: string;
  readonly rev?: string;
  readonly inquiry?: Uint8Array;
  readonly vpdPg80?: Uint8Array | null;
  readonly vpdPg83?: Uint8Array | null;
  readonly driver?: string | null;
  readonly timeoutSecs?: number;
  /** Default latency of an answer (default 100 µs). */
  readonly latencyNs?: number;
  /** Answers commands; default: GOOD with no data. */
  readonly responder?: FakeResponder;
  /**
   * Apply the midlayer's disposition: CHECK CONDITION results go through the attached handler's
   * `checkSense`, and ADD_TO_MLQUEUE resends the command (at most `retries` times). Default true.
   */
  readonly midlayer?: boolean;
}

interface Injection {
  match: (cmd: ScsiCommand) => boolean;
  response: FakeScsiResponse;
  times: number;
}

/** A record of one command the fake was sent, and when. */
export interface FakeSent {
  readonly cmd: ScsiCommand;
  readonly atNs: number;
}

export class FakeScsiDevice implements ScsiDevice {
  readonly host: number;
  readonly channel: number;
  readonly target: number;
  readonly lun: number;
  readonly type: number;
  state: ScsiDeviceState = "running";
  readonly vendor: string;
  readonly model: string;
  readonly rev: string;
  timeoutSecs: number;
  inquiry: Uint8Array;
  vpdPg80: Uint8Array | null;
  vpdPg83: Uint8Array | null;
  driver: string | null;
  accessState = 0;
  handler: ScsiDhInstance | null = null;
  latencyNs: number;
  responder: FakeResponder;
  readonly sent: FakeSent[] = [];
  readonly #clock: Clock;
  readonly #injections: Injection[] = [];
  readonly #midlayer: boolean;

  constructor(clock: Clock, init: FakeScsiDeviceInit = {}) {
    this.#clock = clock;
    this.host = init.host ?? 0;
    this.channel = init.channel ?? 0;
    this.target = init.target ?? 0;
    this.lun = init.lun ?? 0;
    this.type = init.type ?? 0;
    this.vendor = init.vendor ?? "Linux   ";
    this.model = init.model ?? "scsi_debug      ";
    this.rev = init.rev ?? "0191";
    this.timeoutSecs = init.timeoutSecs ?? 30;
    this.inquiry =
      init.inquiry ??
      buildStandardInquiry({
        vendor: this.vendor,
        product: this.model,
        revision: this.rev,
        deviceType: this.type,
      });
    this.vpdPg80 = init.vpdPg80 ?? null;
    this.vpdPg83 = init.vpdPg83 ?? null;
    this.driver = init.driver === undefined ? "sd" : init.driver;
    this.latencyNs = init.latencyNs ?? 100_000;
    this.responder = init.responder ?? (() => ({}));
    this.#midlayer = init.midlayer ?? true;
  }

  /** Answers the next `times` commands that `match` with `response` before the responder is asked. */
  inject(match: (cmd: ScsiCommand) => boolean, response: FakeScsiResponse, times = 1): void {
    this.#injections.push({ match, response, times });
  }

  /** Commands sent with this opcode (and service action, when given). */
  sentOps(op: number, sa?: number): ScsiCommand[] {
    return this.sent
      .map((s) => s.cmd)
      .filter((c) => c.cdb[0] === op && (sa === undefined || ((c.cdb[1] ?? 0) & 0x1f) === sa));
  }

  execute(cmd: ScsiCommand, done: (result: ScsiResult) => void): void {
    this.#attempt(cmd, done, cmd.retries ?? 0);
  }

  #attempt(cmd: ScsiCommand, done: (result: ScsiResult) => void, retriesLeft: number): void {
    this.sent.push({ cmd, atNs: this.#clock.now() });
    const r = this.#answer(cmd);
    const timeoutNs = cmd.timeoutMs * 1_000_000;
    const latency = r.latencyNs ?? this.latencyNs;
    if (r.hang || latency > timeoutNs) {
      this.#clock.schedule(timeoutNs, () => done(timedOut()), null);
      return;
    }
    const sense = r.sense ?? null;
    const status = r.status ?? (sense ? SamStatus.CHECK_CONDITION : SamStatus.GOOD);
    const alloc = cmd.allocationLength ?? 0;
    const data =
      r.data && cmd.direction === "from-device" ? r.data.slice(0, Math.min(alloc, r.data.length)) : null;
    const result: ScsiResult = {
      status,
      hostStatus: r.hostStatus ?? HostStatus.DID_OK,
      sense: status === SamStatus.CHECK_CONDITION ? sense : null,
      data,
      resid: cmd.direction === "from-device" ? alloc - (data?.length ?? 0) : 0,
    };
    this.#clock.schedule(
      latency,
      () => {
        if (this.#midlayer && result.sense && this.handler && retriesLeft > 0) {
          const disp = this.handler.checkSense(result.sense);
          if (disp === ScsiDisposition.ADD_TO_MLQUEUE) {
            this.#attempt(cmd, done, retriesLeft - 1);
            return;
          }
        }
        done(result);
      },
      null,
    );
  }

  #answer(cmd: ScsiCommand): FakeScsiResponse {
    const i = this.#injections.findIndex((inj) => inj.match(cmd));
    if (i >= 0) {
      const inj = this.#injections[i]!;
      if (--inj.times <= 0) this.#injections.splice(i, 1);
      return inj.response;
    }
    return this.responder(cmd, this);
  }
}

function timedOut(): ScsiResult {
  return { status: SamStatus.GOOD, hostStatus: HostStatus.DID_TIME_OUT, sense: null, data: null, resid: 0 };
}

/** Matches commands by opcode (and service action). */
export function opIs(op: number, sa?: number): (cmd: ScsiCommand) => boolean {
  return (c) => c.cdb[0] === op && (sa === undefined || ((c.cdb[1] ?? 0) & 0x1f) === sa);
}

/** Matches INQUIRY with EVPD for `page`. */
export function vpdIs(page: number): (cmd: ScsiCommand) => boolean {
  return (c) => c.cdb[0] === 0x12 && ((c.cdb[1] ?? 0) & 1) === 1 && c.cdb[2] === page;
}
