// The README's example of the hardware and SimHost section, kept runnable.
import { expect, it } from "vitest";
import { createSimWorld } from "./world.js";

it("README example: scsi_debug disks, sysfs, udev and an INQUIRY through SG_IO", () => {
  const w = createSimWorld({ seed: 1 });
  for (const m of ["sd_mod", "sg", "scsi_dh_alua", "dm-multipath"]) w.modprobe(m);
  w.host.startUdev();
  w.modprobe("scsi_debug", "add_host=2", "num_tgts=1", "max_luns=1", "vpd_use_hostno=0", "dev_size_mb=16");
  w.clock.advance(1e9);

  expect(w.host.sysfs.read("/sys/block/sdb/dev")).toBe("8:16\n");
  expect(w.host.sysfs.read("/sys/block/sda/device/vendor")).toBe("Linux   \n");
  expect(w.host.sysfs.read("/sys/block/sdb/device/access_state")).toBe("active/non-optimized\n");
  expect(w.host.udev.lookup("/dev/sda")?.properties.get("ID_SERIAL")).toBe("333333330000007d0");

  let text = "";
  w.host.sgIo(
    "sda",
    {
      cdb: Uint8Array.of(0x12, 0, 0, 0, 96, 0),
      direction: "from-device",
      allocationLength: 96,
      timeoutMs: 30_000,
    },
    (r) => {
      if (!("errno" in r)) text = new TextDecoder().decode(r.data!.subarray(8, 32));
    },
  );
  w.clock.advance(10e6);
  expect(text).toBe("Linux   scsi_debug      ");
});
