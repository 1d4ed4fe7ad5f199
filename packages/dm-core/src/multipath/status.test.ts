import { describe, expect, it } from "vitest";
import { FakeKernel, type FakeMap } from "./testing/fake-dm.js";

function kernel(): FakeKernel {
  const k = new FakeKernel();
  k.addLoop(0);
  k.addLoop(1);
  return k;
}

function kernelWithHeldPaths(): FakeKernel {
  const k = new FakeKernel();
  k.addLoop(0).hold = true;
  k.addLoop(1).hold = true;
  return k;
}

function create(k: FakeKernel, name: string, params: string): FakeMap {
  const r = k.create(name, `0 16384 multipath ${params}`);
  if (!r.ok) throw new Error(r.error);
  return r.map;
}

const RR2 = "0 1 1 round-robin 0 2 1 7:0 1 7:1 1";

describe("multipath TABLE status (features.out)", () => {
  it.each([
    ["0", "0"],
    ["1 queue_if_no_path", "1 queue_if_no_path"],
    ["1 retain_attached_hw_handler", "1 retain_attached_hw_handler"],
    ["2 pg_init_retries 3", "2 pg_init_retries 3"],
    ["2 pg_init_delay_msecs 2500", "2 pg_init_delay_msecs 2500"],
    ["2 queue_mode rq", "0"],
    ["2 queue_mode mq", "0"],
    ["2 queue_mode bio", "3 retain_attached_hw_handler queue_mode bio"],
    ["3 queue_if_no_path queue_mode bio", "4 queue_if_no_path retain_attached_hw_handler queue_mode bio"],
    [
      "4 queue_if_no_path pg_init_retries 5 retain_attached_hw_handler",
      "4 queue_if_no_path pg_init_retries 5 retain_attached_hw_handler",
    ],
    [
      "5 pg_init_retries 50 pg_init_delay_msecs 0 queue_if_no_path",
      "5 queue_if_no_path pg_init_retries 50 pg_init_delay_msecs 0",
    ],
  ])("features '%s' are re-emitted as '%s' in the kernel's fixed order", (given, emitted) => {
    const m = create(kernel(), "f", `${given} ${RR2}`);
    expect(m.status("table")).toBe(`0 16384 multipath ${emitted} ${RR2} `);
    expect(m.status("info")).toBe("0 16384 multipath 2 1 0 0 1 1 E 0 2 0 7:0 A 0 7:1 A 0 ");
  });

  it("rejects 7 feature args that the parse would not consume (f12)", () => {
    const r = kernel().create(
      "f12",
      `0 16384 multipath 7 queue_if_no_path retain_attached_hw_handler pg_init_retries 1 pg_init_delay_msecs 60000 queue_mode mq ${RR2}`,
    );
    expect(r.ok ? "" : r.error).toBe("Unrecognised multipath feature request");
  });

  it("re-emits per-path selector args with defaults and clamps (groups-four.out)", () => {
    const m = create(
      kernel(),
      "mg",
      "0 0 4 1 round-robin 0 1 1 7:0 1 queue-length 0 1 1 7:1 1 service-time 0 1 2 7:0 1 10 round-robin 0 1 0 7:1",
    );
    expect(m.status("table")).toBe(
      "0 16384 multipath 0 0 4 1 round-robin 0 1 1 7:0 1 queue-length 0 1 1 7:1 1 service-time 0 1 2 7:0 1 10 round-robin 0 1 1 7:1 1 ",
    );
    expect(m.status("info")).toBe(
      "0 16384 multipath 2 1 0 0 4 1 E 0 1 0 7:0 A 0 E 0 1 1 7:1 A 0 0 E 0 1 2 7:0 A 0 0 10 E 0 1 0 7:1 A 0 ",
    );
  });
});

describe("multipath INFO status", () => {
  it("prints queue_io 1 on a fresh map until the first I/O, then the chosen group turns A", () => {
    const k = kernel();
    const m = create(k, "ip4", "0 0 2 2 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1");
    expect(m.status()).toBe("0 16384 multipath 2 1 0 0 2 2 E 0 1 0 7:0 A 0 E 0 1 0 7:1 A 0 ");
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 2 E 0 1 0 7:0 A 0 A 0 1 0 7:1 A 0 ");
  });

  it("prints pg_num 1 when the initial group is out of range, and 0 0 for no groups (initial-pg.out)", () => {
    const k = kernel();
    const m = create(k, "ip5", "0 0 2 3 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1");
    expect(m.status("table")).toBe(
      "0 16384 multipath 0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1 ",
    );
    const e = create(k, "ip8", "0 0 0 0 ");
    expect(e.status("table")).toBe("0 16384 multipath 0 0 0 0 ");
    expect(e.status()).toBe("0 16384 multipath 2 1 0 0 0 0 ");
  });

  it("prints the pending next_pg over the current group, and D for a bypassed current group (messages.out)", () => {
    const k = kernel();
    const m = create(k, "mm", "0 0 2 1 service-time 0 1 2 7:0 1 1 service-time 0 1 2 7:1 1 1");
    m.read();
    k.settle();
    expect(m.message("switch_group 2")).toBe(0);
    m.read();
    k.settle();
    expect(m.message("switch_group 1")).toBe(0);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 E 0 1 2 7:0 A 0 0 1 E 0 1 2 7:1 A 0 0 1 ");
    expect(m.message("disable_group 1")).toBe(0);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 D 0 1 2 7:0 A 0 0 1 E 0 1 2 7:1 A 0 0 1 ");
    // 6.1's choose_pgpath takes next_pg before looking at bypass: the I/O still goes to group 1.
    const h = m.read();
    k.settle();
    expect(h.status).toBe(0);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 D 0 1 2 7:0 A 0 0 1 E 0 1 2 7:1 A 0 0 1 ");
  });

  it("clears the current group when I/O finds no valid path anywhere, keeping a pending next_pg (choose-pgpath-failed.out)", () => {
    const k = new FakeKernel();
    k.addLoop(0);
    k.addLoop(1);
    k.addLoop(2);
    const m = create(k, "m", "0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 2 1 7:1 1 7:2 1");
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 A 0 1 0 7:0 A 0 E 0 2 0 7:1 A 0 7:2 A 0 ");
    for (const p of ["7:0", "7:1", "7:2"]) expect(m.message(`fail_path ${p}`)).toBe(0);
    // Failing paths alone leaves current_pg: the group is still A.
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 A 0 1 0 7:0 F 1 E 0 2 0 7:1 F 1 7:2 F 1 ");
    const h = m.read();
    k.settle();
    expect(h.status).not.toBe(0);
    // choose_pgpath's failed: label: current_pg and current_pgpath are gone, no group is A.
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 E 0 1 0 7:0 F 1 E 0 2 0 7:1 F 1 7:2 F 1 ");
    expect(m.message("reinstate_path 7:2")).toBe(0);
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 2 E 0 1 0 7:0 F 1 A 0 2 0 7:1 F 1 7:2 A 1 ");
    // switch_group with every path failed: next_pg survives the failed choice.
    expect(m.message("fail_path 7:2")).toBe(0);
    expect(m.message("switch_group 1")).toBe(0);
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 1 E 0 1 0 7:0 F 1 E 0 2 0 7:1 F 1 7:2 F 2 ");
    expect(m.message("reinstate_path 7:1")).toBe(0);
    m.read();
    k.settle();
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 2 E 0 1 0 7:0 F 1 A 0 2 0 7:1 A 1 7:2 F 2 ");
  });

  it("prints the selectors' per-path fields and counts (queue-length in flight)", () => {
    const k = kernelWithHeldPaths();
    const m = create(k, "q", "0 0 1 1 queue-length 0 2 1 7:0 1 7:1 1");
    m.read(0);
    m.read(8);
    m.read(16);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 1 1 A 0 2 1 7:0 A 0 2 7:1 A 0 1 ");
  });

  it("emits the IMA measurement string", () => {
    const k = kernel();
    const m = create(k, "mm", "0 0 2 1 service-time 0 1 2 7:0 1 1 round-robin 0 1 1 7:1 1");
    m.message("fail_path 7:1");
    expect(m.status("ima")).toBe(
      "target_name=multipath,target_version=1.14.0,nr_priority_groups=2" +
        ",pg_state_0=E,nr_pgpaths_0=1,path_selector_name_0=service-time" +
        ",path_name_0_0=7:0,is_active_0_0=A,fail_count_0_0=0,path_selector_status_0_0=" +
        ",pg_state_1=E,nr_pgpaths_1=1,path_selector_name_1=round-robin" +
        ",path_name_1_0=7:1,is_active_1_0=F,fail_count_1_0=1,path_selector_status_1_0=;",
    );
  });
});
