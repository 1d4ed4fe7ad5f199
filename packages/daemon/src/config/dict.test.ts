import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { parseReservationKey, pgPolicyId, quote } from "./dict.js";
import { printConfig } from "./print-config.js";

/** Loads `section { kw value }` and returns [the printed line(s) for kw, the warnings]. */
function roundTrip(kw: string, value: string, section = "defaults") {
  const text =
    section === "device"
      ? `devices {\n\tdevice {\n\t\tvendor "V"\n\t\tproduct "P"\n\t\t${kw} ${value}\n\t}\n}\n`
      : section === "multipath"
        ? `multipaths {\n\tmultipath {\n\t\twwid W\n\t\t${kw} ${value}\n\t}\n}\n`
        : `${section} {\n\t${kw} ${value}\n}\n`;
  const r = parseConfig(text);
  if (!r.ok) return { printed: null, warnings: r.diagnostics.map((d) => d.message) };
  const dump = printConfig(r.config);
  // The block the keyword was written in: defaults, the last device entry, or multipaths.
  const block =
    section === "device"
      ? dump.slice(dump.lastIndexOf("\tdevice {"), dump.indexOf("overrides {"))
      : section === "multipath"
        ? dump.slice(dump.indexOf("multipaths {"))
        : dump.slice(0, dump.indexOf("blacklist {"));
  const printed = block
    .split("\n")
    .filter((l) => l.trim().startsWith(`${kw} `))
    .map((l) => l.trim());
  const warnings = r.diagnostics.filter((d) => d.level <= 2).map((d) => d.message);
  return { printed, warnings };
}

describe("numeric values", () => {
  it("caps out-of-range integers with the tool's warning", () => {
    expect(roundTrip("verbosity", "9")).toEqual({
      printed: ["verbosity 4"],
      warnings: ["/etc/multipath.conf line 2, value for verbosity too large, capping at 4"],
    });
    expect(roundTrip("uxsock_timeout", "100")).toEqual({
      printed: ["uxsock_timeout 4000"],
      warnings: ["/etc/multipath.conf line 2, value for uxsock_timeout too small, capping at 4000"],
    });
  });

  it("rejects trailing garbage but accepts blanks around a quoted number", () => {
    expect(roundTrip("retrigger_delay", "12abc").warnings).toEqual([
      '/etc/multipath.conf line 2, invalid value for retrigger_delay: "12abc"',
    ]);
    expect(roundTrip("retrigger_delay", '" 12 "').printed).toEqual(["retrigger_delay 12"]);
  });

  it("treats 0 as unset where libmultipath does (rr_min_io prints its default again)", () => {
    expect(roundTrip("rr_min_io", "0").printed).toEqual(["rr_min_io 1000"]);
    expect(roundTrip("failback", "0").printed).toEqual(['failback "manual"']);
    expect(roundTrip("find_multipaths_timeout", "0").printed).toEqual(["find_multipaths_timeout -10"]);
  });
});

describe("keyword-specific values", () => {
  it.each([
    ["no_path_retry", "0", 'no_path_retry "fail"'],
    ["no_path_retry", "queue", 'no_path_retry "queue"'],
    ["failback", "followover", 'failback "followover"'],
    ["failback", "30", "failback 30"],
    ["fast_io_fail_tmo", "off", "fast_io_fail_tmo off"],
    ["fast_io_fail_tmo", "0", "fast_io_fail_tmo 0"],
    ["dev_loss_tmo", "-1", 'dev_loss_tmo "infinity"'],
    ["dev_loss_tmo", "15s", "dev_loss_tmo 15"],
    ["delay_watch_checks", "0", 'delay_watch_checks "no"'],
    ["path_grouping_policy", "multibus_is_a_prefix", 'path_grouping_policy "multibus"'],
    ["find_multipaths", "yes", 'find_multipaths "on"'],
    ["queue_without_daemon", "1", 'queue_without_daemon "yes"'],
    ["alias_prefix", '"my""disk"', 'alias_prefix "my""disk"'],
    ["uid_attrs", '"sd:ID_SERIAL nvme:ID_WWN"', "uid_attrs sd:ID_SERIAL nvme:ID_WWN"],
    ["reservation_key", "0xABCD:aptpl", "reservation_key 0xabcd:aptpl"],
    ["reservation_key", "file", 'reservation_key "file"'],
    ["mode", "0644", "mode 0644"],
    ["uid", "8", "uid 010"],
  ])("%s %s prints as %s", (kw, value, line) => {
    expect(roundTrip(kw, value).printed).toEqual([line]);
  });

  it("device entries print only what is set", () => {
    expect(roundTrip("vpd_vendor", "hp3par", "device").printed).toEqual(['vpd_vendor "hp3par"']);
    expect(roundTrip("rr_min_io", "0", "device").printed).toEqual([]);
    expect(roundTrip("hardware_handler", '"1 rdac"', "device").printed).toEqual([
      'hardware_handler "1 rdac"',
    ]);
  });

  it("checks argument counts of features and path_selector", () => {
    expect(roundTrip("features", '"3 a b"').warnings).toEqual([
      "/etc/multipath.conf line 2, invalid argument count for features:, got '3' expected '2'",
    ]);
    expect(roundTrip("path_selector", '"round-robin"').warnings).toEqual([
      "/etc/multipath.conf line 2, missing argument count for path_selector",
    ]);
  });

  it("keeps the old value when a path is relative or an alias has a slash", () => {
    expect(roundTrip("wwids_file", "wwids")).toEqual({
      printed: ['wwids_file "/etc/multipath/wwids"'],
      warnings: [
        '/etc/multipath.conf line 2, "wwids_file" is deprecated and will be disabled in a future release',
        "/etc/multipath.conf line 2, wwids is not an absolute path. Ignoring",
      ],
    });
    expect(roundTrip("alias", "a/b", "multipath").warnings).toEqual([
      "/etc/multipath.conf line 4, a/b cannot contain a slash. Ignoring",
    ]);
  });

  it("refuses the whole configuration on a reservation key it cannot parse", () => {
    expect(roundTrip("reservation_key", "0").printed).toBeNull();
  });
});

describe("helpers", () => {
  it("quote doubles embedded quotes", () => {
    expect(quote('a"b')).toBe('"a""b"');
  });
  it("pgPolicyId compares prefixes like the tool", () => {
    expect(pgPolicyId("group_by_prio_whatever")).toBe("group_by_prio");
    expect(pgPolicyId("round")).toBeUndefined();
  });
  it("parseReservationKey accepts 0x/x prefixes, 1-16 hex digits, and :aptpl", () => {
    expect(parseReservationKey("x12")).toEqual({ source: "conf", key: 0x12n, aptpl: false });
    expect(parseReservationKey("0123456789abcdef0")).toEqual({
      source: "conf",
      key: 0x123456789abcdef0n,
      aptpl: false,
    });
    expect(parseReservationKey("0x")).toBeUndefined();
    expect(parseReservationKey("0x12345678901234567")).toBeUndefined();
    expect(parseReservationKey("12:aptpl")).toEqual({ source: "conf", key: 0x12n, aptpl: true });
  });
});
