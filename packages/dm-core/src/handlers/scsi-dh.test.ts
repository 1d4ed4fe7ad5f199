import { describe, expect, it } from "vitest";
import { Errno } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { ModuleRegistry } from "../kernel/modules.js";
import { Registry } from "../registry.js";
import { buildStandardInquiry } from "../scsi/cdb.js";
import { FakeAluaArray } from "../scsi/testing/fake-alua-array.js";
import { FakeScsiDevice } from "../scsi/testing/fake-scsi-device.js";
import { type ScsiDeviceHandlerType, ScsiDhResult } from "./handler.js";
import {
  scsiDhActivate,
  scsiDhAddDevice,
  scsiDhAttach,
  scsiDhFindDriver,
  scsiDhModule,
  scsiDhReleaseDevice,
  scsiDhSetParams,
  scsiDhShowState,
  scsiDhStoreState,
  scsiRegisterDeviceHandler,
} from "./scsi-dh.js";
import { createAluaHandlerType } from "./scsi-dh-alua.js";
import { createEmcHandlerType } from "./scsi-dh-emc.js";

function world() {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const env = { clock, log };
  const registry = new Registry<ScsiDeviceHandlerType>("device handler");
  const modules = new ModuleRegistry();
  return { clock, log, env, registry, modules, lines: () => log.since(0).map((l) => l.text) };
}

describe("scsi_dh core", () => {
  it("scsi_dh_find_driver: TPGS means alua, else the vendor/model prefix table", () => {
    const dev = (vendor: string, model: string, tpgs = 0) => ({
      vendor,
      model,
      inquiry: buildStandardInquiry({ vendor, product: model, revision: "1", tpgs }),
    });
    expect(scsiDhFindDriver(dev("DGC     ", "RAID 10         ", 1))).toBe("alua");
    expect(scsiDhFindDriver(dev("DGC     ", "RAID 10         "))).toBe("emc");
    expect(scsiDhFindDriver(dev("COMPAQ  ", "MSA1000 VOLUME  "))).toBe("hp_sw");
    expect(scsiDhFindDriver(dev("DELL    ", "MD32xx          "))).toBe("rdac");
    expect(scsiDhFindDriver(dev("Linux   ", "scsi_debug      "))).toBeNull();
  });

  it("registers handlers through their modules with the kernel's log line, refusing a duplicate", () => {
    const w = world();
    const alua = createAluaHandlerType();
    w.modules.offer(scsiDhModule("scsi_dh_alua", alua, w.registry, w.env));
    expect(w.modules.load("scsi_dh_alua")).toEqual({ ok: true, alreadyLoaded: false });
    expect(w.lines()).toEqual(["alua: device handler registered"]);
    expect(scsiRegisterDeviceHandler(w.registry, createAluaHandlerType(), w.env)).toBe(-Errno.EBUSY);
  });

  it("attaches the scan-time handler, answers dh_state, and detaches with a notice", () => {
    const w = world();
    scsiRegisterDeviceHandler(w.registry, createAluaHandlerType(), w.env);
    const dev = new FakeAluaArray(w.clock, { groups: [{ id: 1, state: 0 }] }).device(1, 1, { driver: null });
    scsiDhAddDevice(dev, w.registry, w.env);
    expect(scsiDhShowState(dev)).toBe("alua\n");
    expect(w.lines()[1]).toBe("scsi 0:0:0:0: alua: supports implicit and explicit TPGS");
    scsiDhReleaseDevice(dev, w.env);
    expect(scsiDhShowState(dev)).toBe("detached\n");
    expect(w.lines().at(-1)).toBe("scsi 0:0:0:0: alua: Detached");
  });

  it("scsi_dh_attach: loads scsi_dh_<name> on demand, matches by prefix, -EBUSY for another handler", () => {
    const w = world();
    const alua = createAluaHandlerType();
    w.modules.offer(scsiDhModule("scsi_dh_alua", alua, w.registry, w.env));
    w.modules.offer(scsiDhModule("scsi_dh_emc", createEmcHandlerType(), w.registry, w.env));
    const dev = new FakeAluaArray(w.clock, { groups: [{ id: 1, state: 0 }] }).device(1, 1);
    expect(scsiDhAttach(dev, "nosuch", w.registry, w.env, w.modules)).toBe(-Errno.EINVAL);
    expect(scsiDhAttach(dev, "alua", w.registry, w.env, w.modules)).toBe(0);
    expect(w.modules.isLoaded("scsi_dh_alua")).toBe(true);
    expect(scsiDhAttach(dev, "alua1", w.registry, w.env, w.modules)).toBe(0);
    expect(scsiDhAttach(dev, "emc", w.registry, w.env, w.modules)).toBe(-Errno.EBUSY);
    expect(scsiDhAttach(null, "alua", w.registry, w.env, w.modules)).toBe(-Errno.ENODEV);
    expect(scsiDhSetParams(dev, ["1"])).toBe(0);
  });

  it("scsi_dh_activate answers NOSYS, NOTCONN and DEV_OFFLINED from the device state before the handler", () => {
    const w = world();
    const results: number[] = [];
    const plain = new FakeScsiDevice(w.clock);
    scsiDhActivate(plain, (r) => results.push(r));
    scsiDhActivate(null, (r) => results.push(r));
    const dev = new FakeAluaArray(w.clock, { groups: [{ id: 1, state: 0 }] }).device(1, 1);
    scsiRegisterDeviceHandler(w.registry, createAluaHandlerType(), w.env);
    scsiDhAttach(dev, "alua", w.registry, w.env);
    dev.state = "offline";
    scsiDhActivate(dev, (r) => results.push(r));
    dev.state = "deleted";
    scsiDhActivate(dev, (r) => results.push(r));
    dev.state = "running";
    scsiDhActivate(dev, (r) => results.push(r));
    w.clock.advance(NSEC_PER_SEC);
    expect(results).toEqual([
      ScsiDhResult.NOSYS,
      ScsiDhResult.NOSYS,
      ScsiDhResult.DEV_OFFLINED,
      ScsiDhResult.NOTCONN,
      ScsiDhResult.OK,
    ]);
    expect(scsiDhSetParams(plain, ["1"])).toBe(-ScsiDhResult.NOSYS);
  });

  it("dh_state writes: a name attaches, 'activate' activates, 'detach' is refused with a warning", () => {
    const w = world();
    scsiRegisterDeviceHandler(w.registry, createAluaHandlerType(), w.env);
    const dev = new FakeAluaArray(w.clock, { groups: [{ id: 1, state: 0 }] }).device(1, 1);
    expect(scsiDhStoreState(dev, "alua\n", w.registry, w.env)).toBe(0);
    expect(scsiDhStoreState(dev, "activate\n", w.registry, w.env)).toBe(0);
    expect(scsiDhStoreState(dev, "detach\n", w.registry, w.env)).toBe(-Errno.EINVAL);
    expect(w.lines().at(-1)).toBe("sd 0:0:0:0: can't detach handler alua.");
    dev.state = "deleted";
    expect(scsiDhStoreState(dev, "activate", w.registry, w.env)).toBe(-Errno.ENODEV);
  });
});
