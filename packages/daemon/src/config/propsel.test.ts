import { readFileSync } from "node:fs";
import { sharedPath } from "@mp/tooling/shared";
import { describe, expect, it } from "vitest";
import { findMpe, HwMatcher, parseConfig } from "./config.js";
import { ConfigLog } from "./log.js";
import {
  type MapSelectContext,
  Origin,
  type PathProbes,
  type PathSelectContext,
  parseKernelRelease,
  planScsiTimeouts,
  selectAlias,
  selectAliasPrefix,
  selectChecker,
  selectDetectChecker,
  selectDetectPrio,
  selectDevLoss,
  selectFastIoFail,
  selectFeatures,
  selectFindMultipathsTimeout,
  selectGetuid,
  selectHwhandler,
  selectMapSettings,
  selectMarginalSettings,
  selectMinio,
  selectNoPathRetry,
  selectPgfailback,
  selectPgpolicy,
  selectPrio,
  selectRecheckWwid,
  selectRetainHwhandler,
  selectVpdVendorId,
  Tpgs,
} from "./propsel.js";
import type { Config } from "./structs.js";

const load = (text: string): Config => {
  const r = parseConfig(text);
  if (!r.ok) throw new Error("config refused");
  return r.config;
};

const V61 = { kernel: [6, 1, 0], dmMpath: [1, 14, 0] } as const;

function mapCtx(
  config: Config,
  vendor: string,
  product: string,
  wwid = "3600a",
  log?: ConfigLog,
): MapSelectContext {
  return {
    config,
    hwe: new HwMatcher(config.hwtable).find(vendor, product),
    mpe: findMpe(config, wwid),
    alias: "mpatha",
    wwid,
    log,
  };
}

function pathCtx(
  config: Config,
  vendor: string,
  product: string,
  extra: Partial<PathSelectContext> = {},
): PathSelectContext {
  return {
    config,
    hwe: new HwMatcher(config.hwtable).find(vendor, product),
    dev: "sda",
    bus: "scsi",
    protocol: "scsi:fcp",
    ...extra,
  };
}

const noAlua: PathProbes = { tpgs: () => Tpgs.NONE };

describe("precedence of map settings", () => {
  const text = `
defaults {
	path_grouping_policy multibus
	failback 15
	no_path_retry 4
}
devices {
	device {
		vendor "ACME"
		product "Box"
		path_grouping_policy group_by_serial
		no_path_retry 7
	}
}
overrides {
	failback immediate
}
multipaths {
	multipath {
		wwid 3600a
		path_grouping_policy failover
	}
}
`;
  const config = load(text);

  it("multipaths beats everything", () => {
    expect(selectPgpolicy(mapCtx(config, "ACME", "Box", "3600a"))).toEqual({
      value: "failover",
      origin: Origin.multipaths,
    });
  });
  it("then the device entry, then defaults", () => {
    expect(selectPgpolicy(mapCtx(config, "ACME", "Box", "3600b"))).toEqual({
      value: "group_by_serial",
      origin: Origin.hwe,
    });
    expect(selectPgpolicy(mapCtx(config, "Other", "Disk", "3600b"))).toEqual({
      value: "multibus",
      origin: Origin.conf,
    });
  });
  it("overrides beat device entries and defaults", () => {
    expect(selectPgfailback(mapCtx(config, "ACME", "Box"))).toEqual({
      value: "immediate",
      origin: Origin.overrides,
    });
  });
  it("the -p flag beats the configuration", () => {
    expect(selectPgpolicy(mapCtx(config, "ACME", "Box"), "group_by_prio").origin).toBe(Origin.cmdline);
  });
  it("the built-in default is multipath internal, and an unset no_path_retry stays undefined", () => {
    const plain = load("");
    expect(selectPgpolicy(mapCtx(plain, "X", "Y"))).toEqual({ value: "failover", origin: Origin.default });
    expect(selectNoPathRetry(mapCtx(plain, "X", "Y"))).toEqual({ value: undefined, origin: Origin.default });
  });
  it("takes each attribute from the first matching device entry that sets it", () => {
    const c = load(
      'devices {\n\tdevice {\n\t\tvendor "3PARdata"\n\t\tproduct "VV"\n\t\tno_path_retry 2\n\t}\n}\n',
    );
    const ctx = mapCtx(c, "3PARdata", "VV");
    expect(ctx.hwe.length).toBe(1);
    expect(selectNoPathRetry(ctx)).toEqual({ value: 2, origin: Origin.hwe });
    expect(selectPgpolicy(ctx)).toEqual({ value: "group_by_prio", origin: Origin.hwe });
    const c2 = load(
      'devices {\n\tdevice {\n\t\tvendor "3PAR"\n\t\tproduct "V"\n\t\tno_path_retry 2\n\t}\n}\n',
    );
    const ctx2 = mapCtx(c2, "3PARdata", "VV");
    expect(ctx2.hwe.map((h) => h.vendor)).toEqual(["3PAR", "3PARdata"]);
    expect(selectNoPathRetry(ctx2).value).toBe(2);
    expect(selectFailbackValue(ctx2)).toBe("immediate");
  });
});

const selectFailbackValue = (ctx: MapSelectContext) => selectPgfailback(ctx).value;

describe("special map rules", () => {
  it("retain_attached_hw_handler is implied from kernel 4.3 and forced off before dm-mpath 1.5", () => {
    const c = load("defaults {\n\tretain_attached_hw_handler no\n}\n");
    expect(selectRetainHwhandler(mapCtx(c, "X", "Y"), V61)).toEqual({
      value: true,
      origin: Origin.impliedKernel43,
    });
    expect(selectRetainHwhandler(mapCtx(c, "X", "Y"), { kernel: [4, 2, 0], dmMpath: [1, 9, 0] })).toEqual({
      value: false,
      origin: Origin.conf,
    });
    expect(selectRetainHwhandler(mapCtx(c, "X", "Y"), { kernel: [6, 1, 0], dmMpath: [1, 4, 0] }).origin).toBe(
      Origin.dmTooOld,
    );
    expect(parseKernelRelease("6.1.0-mp")).toEqual([6, 1, 0]);
  });

  it("features queue_if_no_path becomes no_path_retry queue (with the deprecation message)", () => {
    const log = new ConfigLog();
    const c = load('defaults {\n\tfeatures "1 queue_if_no_path"\n}\n');
    const f = selectFeatures(mapCtx(c, "X", "Y", "3600a", log), {
      noPathRetry: undefined,
      retainAttachedHwHandler: true,
      queueMode: "undef",
    });
    expect(f.value).toBe("0");
    expect(f.noPathRetry).toBe("queue");
    expect(log.entries.filter((d) => d.level <= 2).map((d) => d.message)).toEqual([
      "mpatha: option 'features \"1 queue_if_no_path\"' is deprecated, please use 'no_path_retry queue' instead",
    ]);
  });

  it("queue_mode bio is added for NVMe/TCP maps, and a conflicting feature is replaced", () => {
    const c = load('defaults {\n\tfeatures "2 queue_mode rq"\n}\n');
    const log = new ConfigLog();
    const f = selectFeatures(mapCtx(c, "X", "Y", "3600a", log), {
      noPathRetry: undefined,
      retainAttachedHwHandler: true,
      queueMode: "bio",
    });
    expect(f.value).toBe("2 queue_mode bio");
    expect(log.entries.map((d) => d.message)).toContain(
      "mpatha: ignoring feature 'queue_mode rq' because queue_mode is set to 'bio'",
    );
  });

  it("hardware handler: kernel-attached first, then TPGS autodetection", () => {
    const c = load("");
    const ctx = mapCtx(c, "X", "Y");
    expect(selectHwhandler(ctx, true, [{ tpgs: Tpgs.IMPLICIT, dhState: "alua" }])).toEqual({
      value: "1 alua",
      origin: Origin.retainedByKernel,
    });
    expect(selectHwhandler(ctx, true, [{ tpgs: Tpgs.IMPLICIT, dhState: "detached" }])).toEqual({
      value: "1 alua",
      origin: Origin.tpgs,
    });
    expect(selectHwhandler(ctx, true, [{ tpgs: Tpgs.NONE, dhState: undefined }])).toEqual({
      value: "0",
      origin: Origin.default,
    });
    // An "1 alua" entry on a device without TPGS on every path is turned back to "0".
    const c3 = mapCtx(load(""), "3PARdata", "VV");
    expect(selectHwhandler(c3, false, [{ tpgs: Tpgs.NONE, dhState: "alua" }])).toEqual({
      value: "0",
      origin: Origin.tpgs,
    });
  });

  it("rr_min_io_rq on request-based dm-mpath, rr_min_io on the old bio-based one", () => {
    const c = load("defaults {\n\trr_min_io 50\n\trr_min_io_rq 3\n}\n");
    expect(selectMinio(mapCtx(c, "X", "Y"), [1, 14, 0])).toEqual({ value: 3, origin: Origin.conf });
    expect(selectMinio(mapCtx(c, "X", "Y"), [1, 0, 5])).toEqual({ value: 50, origin: Origin.conf });
  });

  it("delay_watch_checks maps onto san_path_err_*; complete marginal_path settings disable san_path", () => {
    const c = load("defaults {\n\tdelay_watch_checks 3\n\tdelay_wait_checks 2\n}\n");
    const m = selectMarginalSettings(mapCtx(c, "X", "Y"));
    expect(m.sanPathErrThreshold).toEqual({ value: 1, origin: Origin.delayWatch });
    expect(m.sanPathErrForgetRate).toEqual({ value: 3, origin: Origin.delayWatch });
    expect(m.sanPathErrRecoveryTime).toEqual({ value: 2 * 20, origin: Origin.delayWait });
    const c2 = load(
      "defaults {\n\tmarginal_path_err_sample_time 60\n\tmarginal_path_err_rate_threshold 10\n" +
        "\tmarginal_path_err_recheck_gap_time 30\n\tmarginal_path_double_failed_time 5\n\tsan_path_err_threshold 4\n}\n",
    );
    const log = new ConfigLog();
    const m2 = selectMarginalSettings(mapCtx(c2, "X", "Y", "3600a", log));
    expect(m2.marginalPathErrSampleTime.value).toBe(120);
    expect(m2.sanPathErrThreshold).toEqual({ value: "no", origin: Origin.marginalPath });
    expect(log.entries.filter((d) => d.level === 2).map((d) => d.message)).toEqual([
      "mpatha: configuration error: marginal_path_err_sample_time must be >= 120",
    ]);
  });

  it("alias: multipaths alias, friendly name, or the WWID", () => {
    const bindings = {
      useExistingAlias: () => undefined,
      getUserFriendlyAlias: (_w: string, prefix: string) => `${prefix}a`,
    };
    const c = load(
      "defaults {\n\tuser_friendly_names yes\n\talias_prefix disk\n}\nmultipaths {\n\tmultipath {\n\t\twwid 3600a\n\t\talias db\n\t}\n}\n",
    );
    expect(selectAlias(mapCtx(c, "X", "Y", "3600a"), bindings)).toEqual({
      value: "db",
      origin: Origin.multipaths,
    });
    expect(selectAlias(mapCtx(c, "X", "Y", "3600b"), bindings)).toEqual({
      value: "diska",
      origin: Origin.userFriendlyName,
    });
    expect(selectAliasPrefix(mapCtx(c, "X", "Y", "3600b"))).toEqual({ value: "disk", origin: Origin.conf });
    expect(selectAlias(mapCtx(load(""), "X", "Y", "3600b"), bindings)).toEqual({
      value: "3600b",
      origin: Origin.defaultToWwid,
    });
  });
});

describe("path settings", () => {
  it("uid_attrs by device name prefix beats everything", () => {
    const c = load('defaults {\n\tuid_attrs "sd:ID_SERIAL_SHORT nvme:ID_WWN"\n\tuid_attribute ID_X\n}\n');
    expect(selectGetuid(pathCtx(c, "X", "Y"))).toEqual({ value: "ID_SERIAL_SHORT", origin: Origin.uidAttrs });
    expect(selectGetuid(pathCtx(c, "X", "Y", { dev: "dasda" }))).toEqual({
      value: "ID_X",
      origin: Origin.conf,
    });
  });

  it("recheck_wwid needs a SCSI path with a uid fallback", () => {
    const c = load("defaults {\n\trecheck_wwid yes\n}\n");
    expect(selectRecheckWwid(pathCtx(c, "X", "Y"), "ID_SERIAL")).toEqual({
      value: true,
      origin: Origin.conf,
    });
    expect(selectRecheckWwid(pathCtx(c, "X", "Y"), "ID_WWN")).toEqual({
      value: false,
      origin: Origin.unsupportedRecheck,
    });
  });

  it("detect_checker picks rdac for RDAC arrays and tur for ALUA devices", () => {
    const c = load("");
    const rdac: PathProbes = {
      tpgs: () => Tpgs.IMPLICIT,
      vpdC9Supported: () => true,
      vpdC9IsVac1: () => true,
    };
    expect(selectChecker(pathCtx(c, "X", "Y"), true, rdac).value).toBe("rdac");
    expect(selectChecker(pathCtx(c, "X", "Y"), true, { tpgs: () => Tpgs.IMPLICIT })).toMatchObject({
      value: "tur",
      origin: Origin.autodetect,
    });
    // A device entry with another checker is not probed for RDAC; without ALUA its checker wins.
    expect(selectChecker(pathCtx(c, "DGC", "RAID 5"), true, noAlua)).toMatchObject({
      value: "emc_clariion",
      origin: Origin.hwe,
    });
    const t = selectChecker(
      pathCtx(load("defaults {\n\tchecker_timeout 9\n}\n"), "X", "Y"),
      false,
      noAlua,
      30,
    );
    expect(t.timeout).toEqual({ value: 9, origin: Origin.conf });
    expect(selectChecker(pathCtx(c, "X", "Y"), false, noAlua).timeout).toEqual({
      value: 30,
      origin: Origin.default,
    });
  });

  it("prio: autodetected sysfs/alua, else multipaths > overrides > devices > defaults; alua falls back", () => {
    const c = load(
      'defaults {\n\tprio random\n}\ndevices {\n\tdevice {\n\t\tvendor "ACME"\n\t\tproduct "Box"\n\t\tprio_args "x"\n\t}\n}\n',
    );
    const alua: PathProbes = { tpgs: () => Tpgs.IMPLICIT, hasAccessState: () => true };
    expect(selectPrio(pathCtx(c, "X", "Y"), true, alua)).toEqual({
      value: "sysfs",
      args: "",
      origin: Origin.autodetect,
    });
    expect(selectPrio(pathCtx(c, "X", "Y"), true, { tpgs: () => Tpgs.IMPLICIT })).toMatchObject({
      value: "alua",
    });
    expect(selectPrio(pathCtx(c, "ACME", "Box"), false, noAlua)).toEqual({
      value: "random",
      args: "",
      origin: Origin.conf,
    });
    expect(selectPrio(pathCtx(c, "3PARdata", "VV"), false, noAlua)).toEqual({
      value: "const",
      args: "",
      origin: Origin.aluaFailed,
    });
  });

  it("timeouts: the overrides protocol section for the path's transport comes first", () => {
    const c = load(
      "defaults {\n\tdev_loss_tmo 60\n}\noverrides {\n\tfast_io_fail_tmo off\n\tprotocol {\n\t\ttype scsi:iscsi\n\t\tfast_io_fail_tmo 0\n\t}\n}\n",
    );
    expect(selectFastIoFail(pathCtx(c, "X", "Y", { protocol: "scsi:iscsi" }))).toEqual({
      value: 0,
      origin: Origin.overridesProtocol,
    });
    expect(selectFastIoFail(pathCtx(c, "X", "Y"))).toEqual({ value: "off", origin: Origin.overrides });
    expect(selectDevLoss(pathCtx(c, "X", "Y"))).toEqual({ value: 60, origin: Origin.conf });
    expect(selectDevLoss(pathCtx(load(""), "X", "Y"))).toBeUndefined();
  });

  it("dev_loss_tmo is raised to cover no_path_retry, fast_io_fail turned off when not smaller", () => {
    const c = load("defaults {\n\tdev_loss_tmo 20\n\tfast_io_fail_tmo 25\n}\n");
    const log = new ConfigLog();
    const [p] = planScsiTimeouts(
      { alias: "mpatha", config: c, noPathRetry: 12 },
      [pathCtx(c, "X", "Y")],
      log,
    );
    expect(p!.devLoss?.value).toBe(60);
    expect(p!.fastIoFail.value).toBe(25);
    expect(p!.transport).toBe("fcp");
    const [q] = planScsiTimeouts(
      { alias: "mpatha", config: c, noPathRetry: "queue" },
      [pathCtx(c, "X", "Y")],
      log,
    );
    expect(q!.devLoss?.value).toBe(0xffffffff);
    const [r] = planScsiTimeouts(
      { alias: "mpatha", config: c, noPathRetry: undefined },
      [pathCtx(c, "X", "Y")],
      log,
    );
    expect(r!.fastIoFail.value).toBe("off");
    expect(log.entries.filter((d) => d.level <= 3).map((d) => d.message)).toContain(
      "mpatha: Raising dev_loss_tmo to 60 because of no_path_retry setting",
    );
  });

  it("find_multipaths_timeout: -10 means 10 s for known hardware and 1 s for unknown", () => {
    const c = load("");
    expect(selectFindMultipathsTimeout(pathCtx(c, "3PARdata", "VV"))).toEqual({
      value: 10,
      origin: Origin.default,
    });
    expect(selectFindMultipathsTimeout(pathCtx(c, "X", "Y"))).toEqual({
      value: 1,
      origin: Origin.unknownHardware,
    });
  });
});

/**
 * `multipath -v3 -d` on the kernel lab's two scsi_debug paths (sda, sdb: Linux scsi_debug,
 * implicit ALUA with scsi_dh_alua attached, protocol scsi:unspec, SCSI timeout 30 s): the model
 * runs the selectors in 0.9.4's order (pathinfo per path, then setup_map, then the SCSI timeouts)
 * and must log the same "(setting: ...)" lines.
 */
function replayLab(configText: string): string[] {
  const config = load(configText);
  const log = new ConfigLog();
  const probes: PathProbes = {
    tpgs: () => Tpgs.IMPLICIT,
    vpdC9Supported: () => false,
    hasAccessState: () => true,
  };
  const paths = ["sda", "sdb"].map((dev) => ({
    ...pathCtx(config, "Linux", "scsi_debug", { dev, protocol: "scsi:unspec", log }),
    wwid: "333333330000007d0",
  }));
  for (const p of paths) {
    const uid = selectGetuid(p);
    selectRecheckWwid(p, uid.value);
    selectVpdVendorId(p);
    selectChecker(p, selectDetectChecker(p).value, probes, 30);
    selectPrio(p, selectDetectPrio(p).value, probes);
  }
  const wwid = "333333330000007d0";
  const pre = mapCtx(config, "Linux", "scsi_debug", wwid, log);
  const alias = selectAlias(pre, {
    useExistingAlias: () => undefined,
    getUserFriendlyAlias: (_w, prefix) => `${prefix}a`,
  }).value;
  const ctx = { ...pre, alias };
  const s = selectMapSettings(ctx, {
    versions: V61,
    paths: [
      { tpgs: Tpgs.IMPLICIT, dhState: "alua" },
      { tpgs: Tpgs.IMPLICIT, dhState: "alua" },
    ],
  });
  planScsiTimeouts({ alias, config, noPathRetry: s.noPathRetry.value }, paths, log);
  return log.entries.filter((d) => d.level <= 3 && TRACE.test(d.message)).map((d) => d.message);
}

const TRACE = /\(setting: |unsupported for protocol|deprecated|ignoring feature|configuration error|Raising/;

function recordedTrace(out: string): string[] {
  return out
    .split("\n")
    .filter((l) => / \| /.test(l) && TRACE.test(l))
    .map((l) => l.replace(/^[0-9.]+ \| /, ""));
}

describe("the 0.9.4 -v3 traces of the scsi_debug lab", () => {
  it("default settings (golden multipathd.out)", () => {
    const golden = readFileSync(sharedPath("lab/kernel/golden/multipathd.out"), "utf8");
    const start = golden.indexOf("$ multipath -v3 -d\n");
    const expected = recordedTrace(golden.slice(start, golden.indexOf("[rc=", start)));
    expect(expected.length).toBeGreaterThan(40);
    expect(
      replayLab(
        "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths no\n\tpolling_interval 5\n\tmax_polling_interval 20\n}\n",
      ),
    ).toEqual(expected);
  });

  for (const name of ["propsel1", "propsel2"]) {
    it(`every layer and special rule (${name}.scn)`, () => {
      const dir = new URL("../../test/config/fixtures/lab/", import.meta.url);
      const scn = readFileSync(new URL(`${name}.scn`, dir), "utf8");
      const config = scn.slice(scn.indexOf("@config\n") + 8, scn.indexOf("@end\n"));
      const expected = recordedTrace(readFileSync(new URL(`${name}.out`, dir), "utf8"));
      expect(expected.length).toBeGreaterThan(40);
      expect(replayLab(config)).toEqual(expected);
    });
  }
});
