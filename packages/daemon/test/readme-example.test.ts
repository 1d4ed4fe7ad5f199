/** The README's example, as written there, must keep working. */
import { advanceAsync, NSEC_PER_SEC, settle } from "@mp/dm-core";
import { createSimWorld } from "@mp/fabric";
import { expect, it } from "vitest";
import { createMultipathd, type DaemonEvent } from "../src/index.js";

it("README: a daemon on a simulated machine creates mpatha and shows its topology", async () => {
  const w = createSimWorld({ seed: 1 });
  for (const m of ["sd_mod", "sg", "scsi_dh_alua", "dm-multipath", "dm-service-time"]) w.modprobe(m);
  w.host.files.write(
    "/etc/multipath.conf",
    "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths no\n\tpolling_interval 2\n}\n",
  );
  w.host.startUdev();
  w.modprobe("scsi_debug", "add_host=2", "num_tgts=1", "max_luns=1", "vpd_use_hostno=0", "dev_size_mb=16");
  await advanceAsync(w.clock, NSEC_PER_SEC);

  const d = createMultipathd({ host: w.host });
  const events: DaemonEvent[] = [];
  d.events.subscribe((e) => events.push(e));
  await settle(w.clock, d.start(), 60 * NSEC_PER_SEC);

  const r = await settle(w.clock, d.client(["show", "topology"]), 10 * NSEC_PER_SEC);
  expect(r.settled && r.value?.stdout).toBe(
    "create: mpatha (333333330000007d0) dm-0 Linux,scsi_debug\n" +
      "size=16M features='0' hwhandler='1 alua' wp=rw\n" +
      "|-+- policy='service-time 0' prio=50 status=active\n" +
      "| `- 0:0:0:0 sda 8:0  active ready running\n" +
      "`-+- policy='service-time 0' prio=10 status=enabled\n" +
      "  `- 1:0:0:0 sdb 8:16 active ready running\n",
  );
  expect(events).toContainEqual(expect.objectContaining({ kind: "map", action: "create", map: "mpatha" }));

  w.host.sysfs.write("/sys/block/sda/device/state", "offline\n");
  await advanceAsync(w.clock, 3 * NSEC_PER_SEC);
  expect(events).toContainEqual(expect.objectContaining({ kind: "path-dm", dev: "sda", action: "fail" }));
});
