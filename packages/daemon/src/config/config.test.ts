import { describe, expect, it } from "vitest";
import {
  addFeature,
  findHwe,
  findMpe,
  HwMatcher,
  type LoadConfigResult,
  loadConfig,
  parseConfig,
  reconcileFeaturesWithOptions,
  removeFeature,
  usedHwEntries,
} from "./config.js";
import { BUILTIN_HWTABLE } from "./hwtable.js";
import { ConfigLog } from "./log.js";
import { printConfig } from "./print-config.js";
import type { Config, HwEntry } from "./structs.js";

const ok = (r: LoadConfigResult): Config => {
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.config;
};
const msgs = (r: LoadConfigResult, max = 2) =>
  r.diagnostics.filter((d) => d.level <= max).map((d) => d.message);
const files = (f: Record<string, string>) => ({
  read: (p: string) => f[p] ?? null,
  list: (d: string) => {
    const names = Object.keys(f)
      .filter((p) => p.startsWith(`${d}/`))
      .map((p) => p.slice(d.length + 1));
    return names.length > 0 ? names.sort() : null;
  },
});

describe("loadConfig: built-in state", () => {
  it("has the 123 built-in device entries and the libmultipath defaults", () => {
    const c = ok(loadConfig({ files: files({}) }));
    expect(c.hwtable.length).toBe(123);
    expect(BUILTIN_HWTABLE.length).toBe(123);
    expect(c.pollingInterval).toBe(5);
    expect(c.maxPollingInterval).toBe(20);
    expect(c.findMultipaths).toBe("strict");
    expect(c.retriggerTries).toBe(3);
    expect(c.forceSync).toBe(false);
    expect(c.blacklist.devnode.map((e) => e.str)).toEqual(["!^(sd[a-z]|dasd[a-z]|nvme[0-9])"]);
    expect(c.blacklist.device.length).toBe(14);
    expect(c.exceptions.property.map((e) => e.str)).toEqual(["(SCSI_IDENT_|ID_WWN)"]);
  });

  it("logs the missing conf.d at level 3 only", () => {
    const r = loadConfig({ files: files({}) });
    expect(r.diagnostics.map((d) => `${d.level} ${d.message}`)).toContain(
      "3 No configuration dir '/etc/multipath/conf.d'",
    );
    expect(msgs(r)).toEqual([]);
  });
});

describe("polling_interval / max_polling_interval fill-in", () => {
  const poll = (body: string) => {
    const c = ok(parseConfig(`defaults {\n${body}}\n`));
    return [c.pollingInterval, c.maxPollingInterval];
  };
  it.each([
    ["", [5, 20]],
    ["\tpolling_interval 7\n", [7, 28]],
    ["\tmax_polling_interval 30\n", [7, 30]],
    ["\tmax_polling_interval 2\n", [1, 2]],
    ["\tpolling_interval 10\n\tmax_polling_interval 3\n", [3, 3]],
    ["\tpolling_interval 10\n\tmax_polling_interval 0\n", [10, 40]],
    // An invalid value leaves CHECKINT_UNDEF, which the handler then turns into UINT_MAX - 1.
    ["\tpolling_interval abc\n", [4294967294, 4294967295]],
  ] as const)("%j gives %j", (body, want) => {
    expect(poll(body)).toEqual(want);
  });
});

describe("factorize_hwtable", () => {
  it("merges two user sections with the same strings into the later one", () => {
    const r = parseConfig(
      'devices {\n\tdevice {\n\t\tvendor "ACME"\n\t\tproduct "Box"\n\t\tno_path_retry 3\n\t\tprio "alua"\n\t}\n' +
        '\tdevice {\n\t\tvendor "ACME"\n\t\tproduct "Box"\n\t\tno_path_retry 9\n\t}\n}\n',
    );
    expect(msgs(r)).toEqual([
      "factorize_hwtable: duplicate device section for ACME:Box:(null) in /etc/multipath.conf",
    ]);
    const user = ok(r).hwtable.slice(123);
    expect(user).toEqual([{ vendor: "ACME", product: "Box", noPathRetry: 9, prio: "alua" }]);
  });

  it("replaces a built-in entry with the same strings by the user's, filled in from it (quietly)", () => {
    const r = parseConfig(
      'devices {\n\tdevice {\n\t\tvendor "3PARdata"\n\t\tproduct "VV"\n\t\tno_path_retry 5\n\t}\n}\n',
    );
    expect(msgs(r)).toEqual([]);
    const c = ok(r);
    expect(c.hwtable.length).toBe(123);
    expect(c.hwtable.filter((h) => h.vendor === "3PARdata")).toEqual([c.hwtable[122]]);
    expect(c.hwtable[122]).toMatchObject({
      noPathRetry: 5,
      prio: "alua",
      hardwareHandler: "1 alua",
      vpdVendor: "hp3par",
    });
  });

  it("drops a user section without vendor or product", () => {
    const r = parseConfig('devices {\n\tdevice {\n\t\tproduct "X"\n\t}\n}\n');
    expect(msgs(r)).toEqual(["device config in /etc/multipath.conf missing vendor or product parameter"]);
    expect(ok(r).hwtable.length).toBe(123);
  });

  it("folds a deprecated queue_if_no_path feature into no_path_retry when merging", () => {
    const r = parseConfig(
      'devices {\n\tdevice {\n\t\tvendor "A"\n\t\tproduct "B"\n\t\tfeatures "1 queue_if_no_path"\n\t}\n' +
        '\tdevice {\n\t\tvendor "A"\n\t\tproduct "B"\n\t\tno_path_retry fail\n\t}\n}\n',
    );
    expect(msgs(r)).toEqual([
      "factorize_hwtable: duplicate device section for A:B:(null) in /etc/multipath.conf",
      "A/B: option 'features \"1 queue_if_no_path\"' is deprecated, please use 'no_path_retry queue' instead",
      "A/B: ignoring feature 'queue_if_no_path' because no_path_retry is set to '\"fail\"'",
    ]);
    expect(ok(r).hwtable[123]).toEqual({ vendor: "A", product: "B", features: "0", noPathRetry: "fail" });
  });
});

describe("multipaths", () => {
  it("sorts entries by WWID, merges duplicates into the later one and drops entries without wwid", () => {
    const r = parseConfig(
      "multipaths {\n\tmultipath {\n\t\twwid 3b\n\t\talias x\n\t\tfailback 5\n\t}\n" +
        "\tmultipath {\n\t\talias orphan\n\t}\n\tmultipath {\n\t\twwid 3a\n\t}\n" +
        "\tmultipath {\n\t\twwid 3b\n\t\talias y\n\t}\n}\n",
    );
    expect(msgs(r)).toEqual([
      "multipaths config section missing wwid",
      "merge_mptable: duplicate multipath config section for 3b",
    ]);
    const c = ok(r);
    expect(c.mptable.map((m) => [m.wwid, m.alias, m.failback])).toEqual([
      ["3a", undefined, undefined],
      ["3b", "y", 5],
    ]);
    expect(findMpe(c, "3b")?.alias).toBe("y");
    expect(findMpe(c, "")).toBeUndefined();
  });
});

describe("overrides protocol sections", () => {
  it("drops sections without a valid type and merges same-type sections into the later", () => {
    const r = parseConfig(
      "overrides {\n\tprotocol {\n\t\ttype scsi:fcp\n\t\tdev_loss_tmo 30\n\t}\n\tprotocol {\n\t\ttype nope\n\t}\n" +
        "\tprotocol {\n\t\ttype scsi:fcp\n\t\tfast_io_fail_tmo 4\n\t}\n}\n",
    );
    expect(msgs(r)).toEqual([
      '/etc/multipath.conf line 7, invalid value for type: "nope"',
      "protocol section in /etc/multipath.conf missing type",
    ]);
    expect(ok(r).overrides?.protocols).toEqual([{ type: "scsi:fcp", fastIoFailTmo: 4, devLossTmo: 30 }]);
  });
});

describe("conf.d", () => {
  it("reads *.conf files in name order after the main file; their failures do not refuse the config", () => {
    const r = loadConfig({
      files: files({
        "/etc/multipath.conf": "defaults {\n\tpolling_interval 4\n}\n",
        "/etc/multipath/conf.d/b.conf": "defaults {\n\tpolling_interval 6\n}\n",
        "/etc/multipath/conf.d/a.conf":
          'blacklist {\n\tdevnode "("\n}\ndevices {\n\tdevice {\n\t\tvendor "V"\n\t}\n}\n',
        "/etc/multipath/conf.d/c.txt": "defaults {\n\tpolling_interval 8\n}\n",
      }),
    });
    expect(msgs(r)).toEqual([
      '/etc/multipath/conf.d/a.conf line 2, parsing failed: \tdevnode "("',
      "device config in a.conf missing vendor or product parameter",
    ]);
    expect(ok(r).pollingInterval).toBe(6);
  });

  it("refuses the configuration when the main file has a value it cannot store", () => {
    const r = parseConfig('blacklist {\n\twwid "[x"\n}\n');
    expect(r.ok).toBe(false);
    expect(msgs(r)).toEqual([
      '/etc/multipath.conf line 2, parsing failed: \twwid "[x"',
      "error parsing config file",
    ]);
  });
});

describe("process-wide state and crashes", () => {
  it("warns about a deprecated option once per WarnOnce memory", () => {
    const once = { warned: new Set<string>() };
    const text = "defaults {\n\tgetuid_callout x\n}\n";
    expect(msgs(parseConfig(text, { once }))).toEqual([
      '/etc/multipath.conf line 2: ignoring deprecated option "getuid_callout"',
    ]);
    expect(msgs(parseConfig(text, { once }))).toEqual([]);
    expect(msgs(parseConfig(text))).toHaveLength(1);
  });

  it("reports the tool's crash on a rejected first partition_delimiter", () => {
    const r = parseConfig("defaults {\n\tpartition_delimiter /p\n}\n");
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : r.fatal).toBe("SIGSEGV");
    expect(msgs(r)).toEqual(["/etc/multipath.conf line 2, /p cannot contain a slash. Ignoring"]);
  });

  it('uses 4096 for max_fds "max" when nr_open cannot be read, and prints no max_fds line then', () => {
    const c = ok(parseConfig("defaults {\n\tmax_fds max\n}\n", { nrOpen: null }));
    expect(c.maxFds).toBe(4096);
    expect(printConfig(c, { nrOpen: null })).toContain("\tmax_fds 4096\n");
    expect(printConfig(ok(parseConfig("", { nrOpen: null })), { nrOpen: null })).not.toContain("max_fds");
  });

  it("resolves uid and gid through the user lookup, then as numbers, printing them in octal", () => {
    const c = ok(
      parseConfig("defaults {\n\tuid daemon\n\tgid daemon\n\tmode 0640\n}\n", {
        lookupUser: (n) => (n === "daemon" ? { uid: 1, gid: 8 } : undefined),
      }),
    );
    const text = printConfig(c);
    expect(text).toContain("\tmode 0640\n\tuid 01\n\tgid 010\n");
  });
});

describe("find_hwe", () => {
  const table: HwEntry[] = [
    { vendor: "HP", product: "OPEN-.*", noPathRetry: 1 },
    { vendor: "^DGC", product: "^RAID", revision: "^0[12]", prio: "emc" },
    { vendor: "[bad", product: ".*" },
    { vendor: "HPE", product: "OPEN-V", failback: "immediate" },
  ];
  it("returns all matches, most recently defined first, unanchored", () => {
    expect(findHwe(table, "HPE", "OPEN-V", "1")).toEqual([table[3], table[0]]);
  });
  it("checks the revision when both have one, and treats a missing device value as a match", () => {
    expect(findHwe(table, "DGC", "RAID 5", "0100")).toEqual([table[1]]);
    expect(findHwe(table, "DGC", "RAID 5", "0300")).toEqual([]);
    expect(findHwe(table, "DGC", "RAID 5", undefined)).toEqual([table[1]]);
  });
  it("never matches an entry whose regex does not compile, and matches nothing without identity", () => {
    expect(findHwe(table, "xyz", "anything")).toEqual([]);
    expect(findHwe(table, undefined, undefined, undefined)).toEqual([]);
  });
  it("finds the built-in entries: NetApp E-series behind the NETAPP alternation, generic NVMe", () => {
    const m = new HwMatcher(BUILTIN_HWTABLE);
    expect(m.find("NETAPP", "INF-01-00").map((h) => h.product)).toEqual(["INF-01-00"]);
    expect(m.find("NVMe", "Some SSD").map((h) => h.vendor)).toEqual(["NVM[eE]"]);
    expect(m.find("Linux", "scsi_debug")).toEqual([]);
  });
  it("usedHwEntries collects each path's matches once, last first", () => {
    const a = table[0]!;
    const b = table[3]!;
    expect(usedHwEntries([[b, a], [a]])).toEqual([a, b]);
  });
});

describe("features helpers", () => {
  it.each([
    ["1 queue_if_no_path", "queue_if_no_path", "0"],
    ["3 queue_if_no_path pg_init_retries 50", "queue_if_no_path", "2 pg_init_retries 50"],
    ["3 pg_init_retries 50 queue_if_no_path", "queue_if_no_path", "2 pg_init_retries 50"],
    ["2 pg_init_retries 50", "queue_if_no_path", "2 pg_init_retries 50"],
    ["1 xqueue_if_no_path", "queue_if_no_path", "1 xqueue_if_no_path"],
  ])("removeFeature(%j, %j) = %j", (f, old, want) => {
    expect(removeFeature(f, old)).toBe(want);
  });

  it("addFeature adds once and counts words", () => {
    expect(addFeature("0", "queue_mode bio")).toBe("2 queue_mode bio");
    expect(addFeature("2 queue_mode bio", "queue_mode bio")).toBe("2 queue_mode bio");
    expect(addFeature(undefined, "a")).toBe("1 a");
  });

  it("reconcile keeps queue_if_no_path as no_path_retry queue when nothing else is set", () => {
    const log = new ConfigLog();
    const r = reconcileFeaturesWithOptions("mpatha", { features: "1 queue_if_no_path" }, log);
    expect(r).toEqual({ features: "0", noPathRetry: "queue", retainAttachedHwHandler: undefined });
    expect(log.entries.map((d) => d.message)).toEqual([
      "mpatha: option 'features \"1 queue_if_no_path\"' is deprecated, please use 'no_path_retry queue' instead",
      "mpatha: no_path_retry = \"queue\" (inherited setting from feature 'queue_if_no_path')",
    ]);
  });
});
