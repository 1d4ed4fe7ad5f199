import { Asc, type AscAscq } from "@mp/dm-core";
import { FabricAsc } from "../scsi/sense.js";

/**
 * Unit attention conditions a LU queues per I_T nexus, lowest number reported first (SAM-5
 * priority; the order scsi_debug uses, with the ALUA and nexus-loss conditions slotted in).
 */
export const Ua = {
  POWER_ON_RESET: 0,
  POWER_ON_OCCURRED: 1,
  BUS_RESET: 2,
  IT_NEXUS_LOSS: 3,
  MODE_CHANGED: 4,
  ASYMMETRIC_ACCESS_STATE_CHANGED: 5,
  IMPLICIT_TRANSITION_FAILED: 6,
  CAPACITY_CHANGED: 7,
  INQUIRY_DATA_CHANGED: 8,
  LUNS_CHANGED: 9,
} as const;
export type Ua = (typeof Ua)[keyof typeof Ua];

const UA_SENSE: readonly AscAscq[] = [
  Asc.POWER_ON_RESET,
  FabricAsc.POWER_ON_OCCURRED,
  FabricAsc.BUS_RESET,
  FabricAsc.IT_NEXUS_LOSS,
  Asc.MODE_PARAMETERS_CHANGED,
  Asc.ASYMMETRIC_ACCESS_STATE_CHANGED,
  Asc.IMPLICIT_TRANSITION_FAILED,
  FabricAsc.CAPACITY_DATA_CHANGED,
  Asc.INQUIRY_DATA_CHANGED,
  Asc.REPORTED_LUNS_DATA_CHANGED,
];

/** ASC/ASCQ of a unit attention condition. */
export function uaAsc(ua: number): AscAscq {
  return UA_SENSE[ua]!;
}

/** The highest-priority pending condition of a bitmask, or -1. */
export function firstUa(bits: number): number {
  if (bits === 0) return -1;
  return 31 - Math.clz32(bits & -bits);
}

/** Key of an I_T nexus: initiator port id and relative target port. */
export function nexusKey(initiator: number, relPort: number): number {
  return initiator * 65536 + relPort;
}

/** The initiator port id of a nexus key. */
export function nexusInitiator(key: number): number {
  return Math.floor(key / 65536);
}

/** The relative target port of a nexus key. */
export function nexusRelPort(key: number): number {
  return key % 65536;
}
