/** `group_by_serial`: one group per unit serial number (compared over `SERIAL_SIZE` bytes). */
import type { MpMap, MpPath } from "../structs.js";
import { groupByMatch } from "./group-by-match.js";

const SERIAL_SIZE = 128;

export function groupBySerial(mpp: MpMap, paths: readonly MpPath[]): void {
  groupByMatch(mpp, paths, (a, b) => a.serial.slice(0, SERIAL_SIZE) === b.serial.slice(0, SERIAL_SIZE));
}
