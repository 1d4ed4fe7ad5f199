import type { Clock } from "../../clock/clock.js";
import {
  buildRtpg,
  buildStandardInquiry,
  buildSupportedVpdPages,
  buildVpd80,
  buildVpd83,
  MI_EXT_HDR_PARAM_FMT,
  MI_REPORT_TARGET_PGS,
  MO_SET_TARGET_PGS,
  naaDesignator,
  parseStpgParameterList,
  relativeTargetPortDesignator,
  ScsiOp,
  TpgsSupport,
  targetPortGroupDesignator,
} from "../cdb.js";
import { AccessState, type ScsiCommand, SenseKey } from "../scsi-device.js";
import { Asc, makeSense } from "../sense.js";
import { FakeScsiDevice, type FakeScsiDeviceInit, type FakeScsiResponse } from "./fake-scsi-device.js";

/** One target port group of a {@link FakeAluaArray}. */
export interface FakeAluaGroup {
  readonly id: number;
  state: number;
  pref: boolean;
  /** Supported states byte (default: A, N, S, U, T). */
  supported: number;
}

/** Shape of a {@link FakeAluaArray}. */
export interface FakeAluaArrayInit {
  /** The LUN's NAA identifier as hex (default `600140500000000000000000000000a1`). */
  readonly naa?: string;
  readonly serial?: string;
  /** TPGS bits in INQUIRY (default 3: implicit and explicit). */
  readonly tpgs?: number;
  readonly groups: ReadonlyArray<{ id: number; state: number; pref?: boolean; supported?: number }>;
  /** Answer RTPG's extended header request (default true); false → ILLEGAL REQUEST 24/00. */
  readonly extendedHeader?: boolean;
  /** IMPLICIT TRANSITION TIME reported in the extended header (seconds). */
  readonly transitionTime?: number;
  /** How long an STPG keeps the target group transitioning (default 0: immediate). */
  readonly transitionNs?: number;
  /** Report a UNIT ATTENTION 2A/06 on every path after a state change (default false). */
  readonly unitAttentionOnChange?: boolean;
}

/**
 * A one-LUN ALUA array for tests: paths (fake SCSI devices) sit behind target port groups whose
 * access states answer TUR, RTPG, STPG and normal I/O as an SPC-4 target does.
 */
export class FakeAluaArray {
  readonly groups: FakeAluaGroup[];
  readonly devices: FakeScsiDevice[] = [];
  readonly #clock: Clock;
  readonly #init: FakeAluaArrayInit;
  readonly #pendingUa = new Map<FakeScsiDevice, boolean>();
  readonly #groupOf = new Map<FakeScsiDevice, number>();
  readonly #relPortOf = new Map<FakeScsiDevice, number>();
  /** STPG parameter lists received, in order. */
  readonly stpgs: Array<{ groupId: number; state: number }[]> = [];

  constructor(clock: Clock, init: FakeAluaArrayInit) {
    this.#clock = clock;
    this.#init = init;
    this.groups = init.groups.map((g) => ({
      id: g.id,
      state: g.state,
      pref: g.pref ?? false,
      supported:
        g.supported ??
        TpgsSupport.OPTIMIZED |
          TpgsSupport.NONOPTIMIZED |
          TpgsSupport.STANDBY |
          TpgsSupport.UNAVAILABLE |
          TpgsSupport.TRANSITION,
    }));
  }

  group(id: number): FakeAluaGroup {
    const g = this.groups.find((x) => x.id === id);
    if (!g) throw new Error(`no group ${id}`);
    return g;
  }

  /** A path to the LUN through relative port `relPort` in group `groupId`. */
  device(groupId: number, relPort: number, init: FakeScsiDeviceInit = {}): FakeScsiDevice {
    const naa = this.#init.naa ?? "600140500000000000000000000000a1";
    const dev = new FakeScsiDevice(this.#clock, {
      host: this.devices.length,
      inquiry: buildStandardInquiry({
        vendor: "LIO-ORG",
        product: "fake-alua",
        revision: "4.0",
        tpgs: this.#init.tpgs ?? 3,
      }),
      vpdPg80: buildVpd80(this.#init.serial ?? "fake-serial"),
      vpdPg83: buildVpd83([
        naaDesignator(naa),
        relativeTargetPortDesignator(relPort),
        targetPortGroupDesignator(groupId),
      ]),
      ...init,
      responder: (cmd, d) => this.#respond(cmd, d),
    });
    this.devices.push(dev);
    this.#groupOf.set(dev, groupId);
    this.#relPortOf.set(dev, relPort);
    return dev;
  }

  /** Changes a group's state (and PREF); arms a UA on every path when configured. */
  setState(groupId: number, state: number, pref?: boolean): void {
    const g = this.group(groupId);
    g.state = state;
    if (pref !== undefined) g.pref = pref;
    if (this.#init.unitAttentionOnChange) for (const d of this.devices) this.#pendingUa.set(d, true);
  }

  #respond(cmd: ScsiCommand, dev: FakeScsiDevice): FakeScsiResponse {
    const op = cmd.cdb[0] ?? 0;
    if (op !== ScsiOp.INQUIRY && this.#pendingUa.get(dev)) {
      this.#pendingUa.delete(dev);
      return {
        sense: makeSense(
          SenseKey.UNIT_ATTENTION,
          Asc.ASYMMETRIC_ACCESS_STATE_CHANGED.asc,
          Asc.ASYMMETRIC_ACCESS_STATE_CHANGED.ascq,
        ),
      };
    }
    const g = this.group(this.#groupOf.get(dev) ?? -1);
    switch (op) {
      case ScsiOp.TEST_UNIT_READY:
      case ScsiOp.READ_10:
      case ScsiOp.WRITE_10:
      case ScsiOp.READ_16:
      case ScsiOp.WRITE_16:
        return stateAnswer(g.state);
      case ScsiOp.INQUIRY:
        return { data: this.#inquiry(cmd, dev) };
      case ScsiOp.MAINTENANCE_IN: {
        if (((cmd.cdb[1] ?? 0) & 0x1f) !== MI_REPORT_TARGET_PGS) return invalidOpcode();
        const ext = ((cmd.cdb[1] ?? 0) & 0xe0) === MI_EXT_HDR_PARAM_FMT;
        if (ext && this.#init.extendedHeader === false) return invalidField();
        return {
          data: buildRtpg(
            this.groups.map((x) => ({
              state: x.state,
              pref: x.pref,
              supported: x.supported,
              groupId: x.id,
              status: 0,
              vendorUnique: 0,
              ports: [...this.#relPortOf].filter(([d]) => this.#groupOf.get(d) === x.id).map(([, p]) => p),
            })),
            { extendedHeader: ext, transitionTime: this.#init.transitionTime ?? 0 },
          ),
        };
      }
      case ScsiOp.MAINTENANCE_OUT: {
        if (((cmd.cdb[1] ?? 0) & 0x1f) !== MO_SET_TARGET_PGS) return invalidOpcode();
        if (((this.#init.tpgs ?? 3) & 2) === 0) return invalidOpcode();
        const descs = parseStpgParameterList(cmd.dataOut ?? new Uint8Array(0));
        this.stpgs.push(descs.map((d) => ({ groupId: d.groupId, state: d.state })));
        for (const d of descs) this.#switchTo(d.groupId, d.state);
        return {};
      }
      default:
        return invalidOpcode();
    }
  }

  #switchTo(groupId: number, state: number): void {
    const apply = (): void => {
      for (const x of this.groups) {
        if (x.id === groupId) x.state = state;
        else if (state === AccessState.OPTIMAL)
          x.state = x.supported & TpgsSupport.STANDBY ? AccessState.STANDBY : AccessState.ACTIVE;
      }
    };
    const t = this.#init.transitionNs ?? 0;
    if (t <= 0) {
      apply();
      return;
    }
    this.group(groupId).state = AccessState.TRANSITIONING;
    this.#clock.schedule(t, apply, null);
  }

  #inquiry(cmd: ScsiCommand, dev: FakeScsiDevice): Uint8Array {
    if (((cmd.cdb[1] ?? 0) & 1) === 0) return dev.inquiry;
    switch (cmd.cdb[2]) {
      case 0x00:
        return buildSupportedVpdPages([0x80, 0x83]);
      case 0x80:
        return dev.vpdPg80 ?? new Uint8Array(4);
      case 0x83:
        return dev.vpdPg83 ?? new Uint8Array(4);
      default:
        return new Uint8Array(4);
    }
  }
}

function stateAnswer(state: number): FakeScsiResponse {
  switch (state) {
    case AccessState.STANDBY:
      return { sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0b) };
    case AccessState.UNAVAILABLE:
    case AccessState.OFFLINE:
      return { sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0c) };
    case AccessState.TRANSITIONING:
      return { sense: makeSense(SenseKey.NOT_READY, 0x04, 0x0a) };
    default:
      return {};
  }
}

function invalidOpcode(): FakeScsiResponse {
  return { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00) };
}

function invalidField(): FakeScsiResponse {
  return { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00) };
}
