// The README's example, kept runnable.
import {
  createRng,
  type Host,
  makeSense,
  mkdev,
  NSEC_PER_SEC,
  type ScsiCommand,
  type ScsiResult,
  SenseKey,
  VirtualClock,
} from "@mp/dm-core";
import { expect, it } from "vitest";
import {
  CHECKER_WAIT,
  checkerStateName,
  createChecker,
  createDefaultCheckers,
  createDefaultPrioritizers,
  PathState,
  prioGetprio,
} from "./index.js";

it("README example: a tur checker and the sysfs prioritizer on a minimal host", async () => {
  // A host with one SCSI disk in ALUA standby: TUR answers NOT READY 04/0B after 2 ms.
  const clock = new VirtualClock();
  const attrs = new Map([
    ["/sys/block/sda/device/access_state", "standby\n"],
    ["/sys/block/sda/device/preferred_path", "0\n"],
  ]);
  const host = {
    clock,
    sysfs: {
      read: (p: string) => attrs.get(p) ?? null,
      write: () => 13,
      list: () => null,
      readlink: () => null,
    },
    sgIo(_dev: string, _cmd: ScsiCommand, done: (r: ScsiResult) => void) {
      const sense = makeSense(SenseKey.NOT_READY, 0x04, 0x0b);
      clock.schedule(2_000_000, done, { status: 2, hostStatus: 0, sense, data: null, resid: 0 });
    },
  } as unknown as Host;
  const log = (prio: number, msg: string) => {
    if (prio <= 2) console.log(msg);
  };

  // One checker per path; the daemon drives it once per tick.
  const checkers = createDefaultCheckers();
  const tur = createChecker(
    checkers.get("tur")!,
    { dev: "sda", devt: mkdev(8, 0) },
    { host, log },
    { timeout: 30 },
  )!;
  const seen: string[] = [];
  const onResult = (_: null, state: PathState) => seen.push(`${checkerStateName(state)}${tur.message()}`);
  const r = tur.check(PathState.UP, onResult, null); // async: waits up to 1 ms for the TUR
  if (r !== CHECKER_WAIT) onResult(null, r);
  clock.advance(NSEC_PER_SEC); // -> "pending" (the TUR took 2 ms)
  const r2 = tur.check(PathState.PENDING, onResult, null); // next tick collects it
  if (r2 !== CHECKER_WAIT) onResult(null, r2);
  expect(seen).toEqual(["pending", "ghost reports path is ghost"]);

  // Prioritizers answer through a callback too; prioGetprio wraps one in a promise.
  const sysfs = createDefaultPrioritizers().get("sysfs")!;
  const pp = {
    dev: "sda",
    bus: "scsi" as const,
    sgId: { hostNo: 0, channel: 0, scsiId: 0, lun: 0, protoId: -1, transportId: -1 },
    serial: "",
    tgtNodeName: "",
    fdValid: true,
  };
  expect(await prioGetprio(sysfs, pp, "", 0, { host, log, rng: createRng(1) })).toBe(1);
});
