import { createKernel, type DmControl, VirtualClock } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { type DmTask, DmUdevFlag, LibDm, type LibDmUdev } from "./libdm.js";

/** A kernel with loop0, and the cookies (event_nr) each uevent-making ioctl got. */
function setup() {
  const k = createKernel({ clock: new VirtualClock() });
  k.losetup("loop0", 8 << 20);
  const cookies: Array<[string, number | undefined]> = [];
  const dm = new Proxy(k.dm, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop !== "resume" && prop !== "remove" && prop !== "rename") return v.bind(target);
      return (...args: unknown[]) => {
        const opts = args[prop === "rename" ? 2 : 1] as { cookie?: number } | undefined;
        cookies.push([prop, opts?.cookie]);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as DmControl;
  const changeCookies: string[] = [];
  k.uevents.subscribe((e) => {
    if (e.subsystem === "block" && e.devpath.includes("dm-"))
      changeCookies.push(`${e.action} ${e.env.find(([n]) => n === "DM_COOKIE")?.[1] ?? "-"}`);
  });
  return { k, dm, cookies, changeCookies };
}

function lib(dm: DmControl, udev: LibDmUdev): { l: LibDm; errors: string[] } {
  const errors: string[] = [];
  return { l: new LibDm(dm, (e) => errors.push(e), udev), errors };
}

const TABLE = [{ start: 0, length: 8192, type: "linear", params: "7:0 0" }];
const FALLBACK = DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
const flags = (f: number) => (f << 16) >>> 0;

describe("libdm's udev cookie on resume, remove and rename", () => {
  it("DM_DISABLE_UDEV: no cookie number, library fallback dropped, dm and subsystem rules off", async () => {
    const { dm, cookies, changeCookies } = setup();
    const { l } = lib(dm, { disabled: true });
    await l.run({ type: "create", name: "a", targets: TABLE, udevFlags: FALLBACK });
    const f = DmUdevFlag.PRIMARY_SOURCE | DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
    expect(cookies).toEqual([["resume", flags(f)]]);
    // The kernel sends it as DM_COOKIE with the resume's change event (the create's add has none).
    expect(changeCookies).toEqual(["add -", `change ${flags(f)}`]);
  });

  it("with udev syncing: a new cookie (random, never 0) with PRIMARY_SOURCE and DISABLE_LIBRARY_FALLBACK", async () => {
    const { dm, cookies } = setup();
    let waits = 0;
    const rand = [0, 0x1234];
    const { l } = lib(dm, {
      disabled: false,
      wait: async () => {
        waits++;
      },
      random16: () => rand.shift() ?? 7,
    });
    await l.run({ type: "create", name: "a", targets: TABLE, udevFlags: FALLBACK });
    expect(cookies).toEqual([["resume", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK) + 0x1234]]);
    expect(waits).toBe(1);
    await l.run({
      type: "rename",
      name: "a",
      newName: "b",
      udevFlags: FALLBACK | DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES,
    });
    expect(cookies[1]).toEqual(["rename", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK | 3) + 7]);
    expect(waits).toBe(2);
  });

  it("a task without a cookie while udev syncs falls back to libdm's nodes: dm and subsystem rules off", async () => {
    const { dm, cookies } = setup();
    const { l } = lib(dm, { disabled: false, wait: async () => {} });
    await l.run({ type: "create", name: "a", targets: TABLE });
    await l.run({ type: "suspend", name: "a" });
    await l.run({ type: "resume", name: "a" });
    const f = DmUdevFlag.PRIMARY_SOURCE | DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
    expect(cookies).toEqual([
      ["resume", flags(f)],
      ["resume", flags(f)],
    ]);
  });

  it("--noudevsync: the flags go, but no cookie number and no wait", async () => {
    const { dm, cookies } = setup();
    let waits = 0;
    const { l } = lib(dm, {
      disabled: false,
      wait: async () => {
        waits++;
      },
    });
    l.syncWithUdev = false;
    await l.run({ type: "create", name: "a", targets: TABLE, udevFlags: FALLBACK });
    await l.run({ type: "remove", name: "a", udevFlags: FALLBACK });
    expect(cookies).toEqual([
      ["resume", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK)],
      ["remove", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK)],
    ]);
    expect(waits).toBe(0);
  });

  it("--udevcookie joins the caller's transaction (its low half) and does not wait", async () => {
    const { dm, cookies } = setup();
    let waits = 0;
    const { l } = lib(dm, {
      disabled: false,
      wait: async () => {
        waits++;
      },
    });
    const t: DmTask = {
      type: "create",
      name: "a",
      targets: TABLE,
      udevFlags: FALLBACK,
      udevCookie: 0x0d4d00aa,
    };
    await l.run(t);
    expect(cookies).toEqual([["resume", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK) + 0xaa]]);
    expect(waits).toBe(0);
  });

  it("a create whose table fails to load is reverted by a remove with the same cookie", async () => {
    const { dm, cookies } = setup();
    const { l, errors } = lib(dm, { disabled: false, wait: async () => {}, random16: () => 0x55 });
    const r = await l.run({
      type: "create",
      name: "a",
      targets: [{ start: 0, length: 8, type: "linear", params: "7:0 x" }],
      udevFlags: FALLBACK,
    });
    expect(r).toBeNull();
    expect(errors[0]).toContain("reload ioctl on a");
    expect(cookies).toEqual([["remove", flags(DmUdevFlag.PRIMARY_SOURCE | FALLBACK) + 0x55]]);
  });
});
