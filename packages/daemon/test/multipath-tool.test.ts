/**
 * The `multipath` program over a simulated host: listing, the dry run's -v3 trace as the kernel
 * lab printed it, flushing, the wwids options and path validity.
 */
import type { SimWorld } from "@mp/fabric";
import { describe, expect, it } from "vitest";
import { runMultipath } from "../src/multipath-tool/main.js";
import { config, scsiDebugWorld, settleUdev, sleep, startDaemon } from "./support/sim.js";

async function multipath(
  w: SimWorld,
  argv: string[],
  daemon:
    | ((cmd: string) => ReturnType<NonNullable<Parameters<typeof runMultipath>[1]["multipathd"]>>)
    | null = null,
): Promise<{ out: string; err: string; rc: number; both: string }> {
  let out = "";
  let err = "";
  let both = "";
  const { settle, NSEC_PER_SEC } = await import("@mp/dm-core");
  const r = await settle(
    w.clock,
    runMultipath(["multipath", ...argv], {
      host: w.host,
      io: {
        stdout: (t) => {
          out += t;
          both += t;
        },
        stderr: (t) => {
          err += t;
          both += t;
        },
      },
      multipathd: daemon,
    }),
    120 * NSEC_PER_SEC,
  );
  if (!r.settled) throw new Error(`multipath ${argv.join(" ")} did not finish`);
  return { out, err, rc: r.value, both };
}

const stripTime = (s: string) => s.replace(/^\d+\.\d+ \| /gm, "");

/** multipath -v3 -d on the lab (golden/multipathd.out), timestamps removed. */
const LAB_DRY_RUN_V3 = `set open fds limit to 1048576/1048576
Initialized new file [/etc/multipath/bindings]
loading /lib/multipath/libchecktur.so checker
checker tur: message table size = 3
loading /lib/multipath/libprioconst.so prioritizer
_init_foreign: foreign library "nvme" is not enabled
sda: size = 32768
sda: vendor = Linux
sda: product = scsi_debug
sda: rev = 0191
sda: h:b:t:l = 0:0:0:0
sda: tgt_node_name = 
sda: uid_attribute = ID_SERIAL (setting: multipath internal)
sda: recheck_wwid = 1 (setting: multipath.conf defaults/devices section)
sda: 1024 cyl, 1 heads, 32 sectors/track, start at 0
sda: vpd_vendor_id = 0 "undef" (setting: multipath internal)
sda: serial = 2000
sda: detect_checker = yes (setting: multipath internal)
sda: path_checker = tur (setting: storage device autodetected)
sda: checker timeout = 30 s (setting: kernel sysfs)
sda: tur state = up
sda: uid = 333333330000007d0 (udev)
sda: detect_prio = yes (setting: multipath internal)
loading /lib/multipath/libpriosysfs.so prioritizer
sda: prio = sysfs (setting: storage device autodetected)
sda: prio args = "" (setting: storage device autodetected)
sda: sysfs prio = 50
sdb: size = 32768
sdb: vendor = Linux
sdb: product = scsi_debug
sdb: rev = 0191
sdb: h:b:t:l = 1:0:0:0
sdb: tgt_node_name = 
sdb: uid_attribute = ID_SERIAL (setting: multipath internal)
sdb: recheck_wwid = 1 (setting: multipath.conf defaults/devices section)
sdb: 1024 cyl, 1 heads, 32 sectors/track, start at 0
sdb: vpd_vendor_id = 0 "undef" (setting: multipath internal)
sdb: serial = 2000
sdb: detect_checker = yes (setting: multipath internal)
sdb: path_checker = tur (setting: storage device autodetected)
sdb: checker timeout = 30 s (setting: kernel sysfs)
sdb: tur state = up
sdb: uid = 333333330000007d0 (udev)
sdb: detect_prio = yes (setting: multipath internal)
sdb: prio = sysfs (setting: storage device autodetected)
sdb: prio args = "" (setting: storage device autodetected)
sdb: sysfs prio = 10
multipath-tools v0.9.4 (12/19, 2022)
libdevmapper version 1.02.185
kernel device mapper v4.47.0
DM multipath kernel driver v1.14.0
sda: udev property ID_WWN whitelisted
333333330000007d0: user_friendly_names = yes (setting: multipath.conf defaults/devices section)
333333330000007d0: alias_prefix = mpath (setting: multipath internal)
No matching wwid [333333330000007d0] in bindings file.
Created new binding [mpatha] for WWID [333333330000007d0]
333333330000007d0: alias = mpatha (setting: user_friendly_name)
sda: tur state = up
sda: ownership set to mpatha
sdb: tur state = up
sdb: ownership set to mpatha
mpatha: failback = "manual" (setting: multipath internal)
mpatha: path_grouping_policy = failover (setting: multipath internal)
mpatha: path_selector = "service-time 0" (setting: multipath internal)
mpatha: no_path_retry = undef (setting: multipath internal)
mpatha: retain_attached_hw_handler = yes (setting: implied in kernel >= 4.3.0)
mpatha: features = "0" (setting: multipath internal)
mpatha: hardware_handler = "1 alua" (setting: retained by kernel driver)
mpatha: rr_weight = "uniform" (setting: multipath internal)
mpatha: minio = 1 (setting: multipath internal)
mpatha: deferred_remove = no (setting: multipath internal)
mpatha: marginal_path_err_sample_time = "no" (setting: multipath internal)
mpatha: marginal_path_err_rate_threshold = "no" (setting: multipath internal)
mpatha: marginal_path_err_recheck_gap_time = "no" (setting: multipath internal)
mpatha: marginal_path_double_failed_time = "no" (setting: multipath internal)
mpatha: san_path_err_threshold = "no" (setting: multipath internal)
mpatha: san_path_err_forget_rate = "no" (setting: multipath internal)
mpatha: san_path_err_recovery_time = "no" (setting: multipath internal)
mpatha: skip_kpartx = no (setting: multipath internal)
mpatha: ghost_delay = "no" (setting: multipath.conf defaults/devices section)
mpatha: flush_on_last_del = no (setting: multipath internal)
sda: fast_io_fail_tmo = 5 (setting: multipath internal)
sda: setting scsi timeouts is unsupported for protocol scsi:unspec
sdb: fast_io_fail_tmo = 5 (setting: multipath internal)
sdb: setting scsi timeouts is unsupported for protocol scsi:unspec
sdb: udev property ID_WWN whitelisted
unloading tur checker
unloading sysfs prioritizer
unloading const prioritizer
===== paths list =====
uuid              hcil    dev dev_t pri dm_st chk_st vend/prod/rev    dev_st 
333333330000007d0 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug unknown
333333330000007d0 1:0:0:0 sdb 8:16  10  undef undef  Linux,scsi_debug unknown
: mpatha (333333330000007d0) undef Linux,scsi_debug
size=16M features='0' hwhandler='1 alua' wp=undef
|-+- policy='service-time 0' prio=50 status=undef
| \`- 0:0:0:0 sda 8:0  undef ready running
\`-+- policy='service-time 0' prio=10 status=undef
  \`- 1:0:0:0 sdb 8:16 undef ready running
`;

const GOLDEN_CONF = `defaults {
\tuser_friendly_names yes
\tfind_multipaths no
\tpolling_interval 5
\tmax_polling_interval 20
\tverbosity 2
}
`;

describe("multipath (the tool)", () => {
  it("-v3 -d prints the lab's trace line for line (stdout buffered after stderr, as through a pipe)", async () => {
    const w = await scsiDebugWorld({ config: GOLDEN_CONF });
    const r = await multipath(w, ["-v3", "-d"]);
    expect(r.rc).toBe(0);
    expect(stripTime(r.both)).toBe(LAB_DRY_RUN_V3);
    // a dry run creates nothing
    expect(w.host.dm.list()).toEqual([]);
  });

  it("creates the map itself when no daemon runs, and -ll / -l list it", async () => {
    const w = await scsiDebugWorld();
    const c = await multipath(w, []);
    expect(c.rc).toBe(0);
    expect(c.out).toBe(
      "create: mpatha (333333330000007d0) undef Linux,scsi_debug\n" +
        "size=16M features='0' hwhandler='1 alua' wp=undef\n" +
        "|-+- policy='service-time 0' prio=50 status=undef\n" +
        "| `- 0:0:0:0 sda 8:0  undef ready running\n" +
        "`-+- policy='service-time 0' prio=10 status=undef\n" +
        "  `- 1:0:0:0 sdb 8:16 undef ready running\n",
    );
    await settleUdev(w);
    const ll = await multipath(w, ["-ll"]);
    expect(ll.out).toBe(
      "mpatha (333333330000007d0) dm-0 Linux,scsi_debug\n" +
        "size=16M features='0' hwhandler='1 alua' wp=rw\n" +
        "|-+- policy='service-time 0' prio=50 status=enabled\n" +
        "| `- 0:0:0:0 sda 8:0  active ready running\n" +
        "`-+- policy='service-time 0' prio=10 status=enabled\n" +
        "  `- 1:0:0:0 sdb 8:16 active ready running\n",
    );
    const l = await multipath(w, ["-l", "-v1"]);
    expect(l.out).toBe("mpatha\n");
    // without a daemon the tool warns after creating/listing maps
    expect(ll.err).toContain("Warning: multipath devices exist, but multipathd service is not running");
  });

  it("-F flushes every unused map; -f of an unknown name fails", async () => {
    const w = await scsiDebugWorld();
    await multipath(w, []);
    await settleUdev(w);
    expect(w.host.dm.list().map((e) => e.name)).toEqual(["mpatha"]);
    const f = await multipath(w, ["-f", "mpathz"]);
    expect(f.rc).toBe(1);
    const ff = await multipath(w, ["-F"]);
    expect(ff.rc).toBe(0);
    expect(w.host.dm.list()).toEqual([]);
  });

  it("-f with a running daemon is delegated to it (del map)", async () => {
    const w = await scsiDebugWorld();
    const d = await startDaemon(w);
    await sleep(w, 2);
    const r = await multipath(w, ["-f", "mpatha"], (cmd) => d.request(cmd));
    expect(r.rc).toBe(0);
    expect(w.host.dm.list()).toEqual([]);
    expect(d.maps()).toEqual([]);
  });

  it("-a / -w / -W edit the wwids file", async () => {
    const w = await scsiDebugWorld({
      config: config("find_multipaths yes").replace("\tfind_multipaths no\n", ""),
    });
    expect((await multipath(w, ["-a", "/dev/sda"])).out).toBe("wwid '333333330000007d0' added\n");
    expect(w.host.files.read("/etc/multipath/wwids")).toContain("/333333330000007d0/\n");
    expect((await multipath(w, ["-w", "/dev/sda"])).out).toBe("wwid '333333330000007d0' removed\n");
    expect((await multipath(w, ["-w", "/dev/sda"])).out).toBe("wwid '333333330000007d0' not in wwids file\n");
    await multipath(w, []);
    await settleUdev(w);
    const reset = await multipath(w, ["-W"]);
    expect(reset.out).toBe("successfully reset wwids\n");
  });

  it("-c: a disk is a valid path once its WWID is a map (exit status 0), not before (1)", async () => {
    const w = await scsiDebugWorld();
    expect(await multipath(w, ["-c", "/dev/sda"])).toMatchObject({
      rc: 1,
      out: 'DM_MULTIPATH_DEVICE_PATH="0"\n',
    });
    await multipath(w, []);
    await settleUdev(w);
    expect(await multipath(w, ["-c", "/dev/sda"])).toMatchObject({
      rc: 0,
      out: 'DM_MULTIPATH_DEVICE_PATH="1"\n',
    });
  });

  it("bad usage prints the usage text and fails", async () => {
    const w = await scsiDebugWorld();
    const r = await multipath(w, ["-X"]);
    expect(r.rc).toBe(1);
    expect(r.err).toContain(
      "Usage:\n  multipath [-v level] [-B|-d|-i|-q|-r] [-b file] [-p policy] [device]\n",
    );
  });
});
