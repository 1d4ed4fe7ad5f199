import { readFileSync } from "node:fs";
import { BlkStatus } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo } from "../../test/fc-world.js";
import type { NvmetPort } from "../hardware/nvme-target.js";
import { udevadmMain } from "../tools/udevadm.js";
import { createSimWorld, type SimWorld } from "../world.js";
import { AnaState } from "./ana.js";

/**
 * The NVMe host driver against the kernel lab: `test/fixtures/lab/nvme-mpn.{sh,out}` (NVMe/TCP
 * to nvmet over loopback, `nvme_core multipath=N`: what dm-multipath sees) and `nvme-mpy.*`
 * (`multipath=Y`). The model's world is set up as the script sets up nvmet: subsystem
 * `nqn.2014-08.org.example:subsys0` with two namespaces (16 MiB in ANA group 1, 8 MiB in group
 * 2, 4 KiB blocks), two ports (4420: group 1 optimized, group 2 non-optimized; 4421 the other
 * way round), one controller through each.
 */
const fixture = (n: string) => readFileSync(new URL(`../../test/fixtures/lab/${n}`, import.meta.url), "utf8");
const MPN = fixture("nvme-mpn.out");
const MPY = fixture("nvme-mpy.out");

/** The text of a `##########` section. */
function section(text: string, title: string): string {
  const a = text.indexOf(`########## ${title}`);
  if (a < 0) throw new Error(`no section ${title}`);
  const b = text.indexOf("\n##########", a + 10);
  return text.slice(a, b < 0 ? undefined : b);
}

/** The `dmesg:` lines of the host (nvmet's own lines are the target's, not the host's). */
function hostDmesg(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("dmesg: ") && !/nvmet/.test(l))
    .map((l) => l.slice(7));
}

/** `== <path> -> …` blocks: the directory listing and the `key=value|` attributes. */
function blocks(text: string): Map<string, { listing: string[]; attrs: Map<string, string> }> {
  const out = new Map<string, { listing: string[]; attrs: Map<string, string> }>();
  let cur: { listing: string[]; attrs: Map<string, string> } | null = null;
  for (const l of text.split("\n")) {
    const m = /^== (\S+) ->/.exec(l);
    if (m) {
      cur = { listing: [], attrs: new Map() };
      out.set(m[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const kv = /^([a-z_/]+)=(.*)$/.exec(l);
    if (kv) cur.attrs.set(kv[1]!, kv[2]!.replace(/\|/g, "\n"));
    else if (/^[a-z0-9_]+$/.test(l) && cur.attrs.size === 0) cur.listing.push(l);
  }
  return out;
}

/** `ls` output `DIR:` followed by names, per directory. */
function lsDirs(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const l of text.split("\n")) {
    const m = /^(\/sys\/\S+):$/.exec(l);
    if (m) out.set(m[1]!, (cur = []));
    else if (cur && /^[a-z0-9-]+$/.test(l)) cur.push(l);
    else cur = null;
  }
  return out;
}

const NQN = "nqn.2014-08.org.example:subsys0";

/** The lab's setup in the model; connect through both ports. */
function labWorld(multipath: boolean): SimWorld & { ports: NvmetPort[] } {
  const transcript = multipath ? MPY : MPN;
  const w = createSimWorld({ seed: 1 });
  const hostnqn = /hostnqn=(\S+)\|/.exec(MPN)![1]!;
  const hostid = /hostid=(\S+)\|/.exec(MPN)![1]!;
  (w.nvme as { hostnqn: string }).hostnqn = hostnqn;
  (w.nvme as { hostid: string }).hostid = hostid;
  expect(w.modprobe("nvme_core", `multipath=${multipath ? "Y" : "N"}`).ok).toBe(true);
  for (const m of ["nvme_fabrics", "nvme_tcp", "dm-multipath"]) expect(w.modprobe(m).ok).toBe(true);
  w.nvme.anaAttrsWithoutMultipath = false;
  w.host.startUdev();
  w.clock.advance(1e9);
  const s = w.fabric.addNvmeSubsystem({
    name: "subsys0",
    nqn: NQN,
    serial: "SN0123456789",
    model: "MP Sim Array",
    firmwareRev: "6.1.0-50",
  });
  s.addNamespace({
    nsid: 1,
    bytes: 16 << 20,
    blockSize: 4096,
    uuid: "11111111-2222-3333-4444-555555555555",
    nguid: "0123456789abcdef0123456789abcdef",
  });
  // nvmet made up namespace 2's UUID at random; the lab's.
  const uuid2 = /nvme0n2 -> [\s\S]*?wwid=uuid\.([-0-9a-f]+)\|/.exec(transcript)![1]!;
  s.addNamespace({ nsid: 2, bytes: 8 << 20, blockSize: 4096, uuid: uuid2, anaGroup: 2 });
  const p1 = s.addPort({ name: "p1", traddr: "127.0.0.1", trsvcid: "4420" });
  const p2 = s.addPort({ name: "p2", traddr: "127.0.0.1", trsvcid: "4421" });
  p1.setAnaState(2, AnaState.NON_OPTIMIZED);
  p2.setAnaState(1, AnaState.NON_OPTIMIZED);
  p2.setAnaState(2, AnaState.OPTIMIZED);
  for (const p of [p1, p2]) {
    const c = w.nvme.connect({ port: p, ctrlLossTmoNs: 20e9, reconnectDelayNs: 2e9 });
    if ("errno" in c) throw new Error(c.message);
    w.clock.advance(1e9);
  }
  w.clock.advance(2e9);
  return { ...w, ports: [p1, p2] };
}

describe("NVMe with native multipath off, against the kernel lab (nvme_core multipath=N)", () => {
  it("connect: the same kernel lines, devices, numbers and names", () => {
    const w = labWorld(false);
    const lab = section(MPN, "connect");
    expect(
      w.kernel.log
        .since(0)
        .map((l) => l.text)
        .filter((t) => /^nvme /.test(t)),
    ).toEqual(hostDmesg(lab));
    const dirs = lsDirs(lab);
    for (const d of ["/sys/block", "/sys/class/nvme", "/sys/class/nvme-generic", "/sys/class/nvme-subsystem"])
      expect(w.host.sysfs.list(d), d).toEqual(dirs.get(d));
  });

  it("controller attributes as 6.1 shows them (state, transport, model, serial, firmware, cntlid, address, uevent …)", () => {
    const w = labWorld(false);
    const lab = blocks(section(MPN, "controller attributes"));
    expect([...lab.keys()]).toEqual(["/sys/class/nvme/nvme0", "/sys/class/nvme/nvme1"]);
    for (const [path, b] of lab) {
      expect(w.host.sysfs.list(path), path).toEqual(b.listing);
      for (const [k, v] of b.attrs) expect(`${k}=${w.host.sysfs.read(`${path}/${k}`)}`).toBe(`${k}=${v}`);
    }
  });

  it("namespace disks nvme<C>n<N>: dev 259:N, size, wwid, nsid, uuid, nguid, device → controller; no ana_* attributes", () => {
    const w = labWorld(false);
    const lab = blocks(section(MPN, "namespace attributes"));
    expect([...lab.keys()]).toEqual([
      "/sys/block/nvme0n1",
      "/sys/block/nvme0n2",
      "/sys/block/nvme1n1",
      "/sys/block/nvme1n2",
    ]);
    for (const [path, b] of lab) {
      expect(w.host.sysfs.list(path), path).toEqual(b.listing);
      for (const [k, v] of b.attrs) expect(`${k}=${w.host.sysfs.read(`${path}/${k}`)}`).toBe(`${k}=${v}`);
      expect(w.host.sysfs.readlink(`${path}/device`)).toBe(`../../nvme${path.slice(-3, -2)}`);
    }
  });

  it("the documented deviation: with anaAttrsWithoutMultipath ana_state/ana_grpid show what the controller reports", () => {
    const w = labWorld(false);
    w.nvme.anaAttrsWithoutMultipath = true;
    const s = w.fabric.nvmeSubsystem("subsys0")!;
    s.addNamespace({ nsid: 3, bytes: 1 << 20, anaGroup: 2 });
    // A rescan is how a new namespace appears; here a reconnect of nvme1 does it.
    w.nvme.controller("nvme1")!.reset();
    w.clock.advance(1e9);
    expect(w.host.sysfs.read("/sys/block/nvme1n3/ana_state")).toBe("optimized\n");
    expect(w.host.sysfs.read("/sys/block/nvme1n3/ana_grpid")).toBe("2\n");
    expect(w.host.sysfs.read("/sys/block/nvme0n1/ana_state")).toBeNull();
  });

  it("udev: Debian 12's rules give the lab's ID_WWN, ID_MODEL, ID_SERIAL_SHORT, ID_SERIAL, ID_NSID and links", () => {
    const w = labWorld(false);
    w.clock.advance(2e9);
    const lab = section(MPN, "udev");
    for (const dev of ["nvme0n1", "nvme0n2", "nvme1n1", "nvme1n2"]) {
      const a = lab.indexOf(`$ udevadm info --query=all --name=/dev/${dev}\n`);
      const want = lab.slice(lab.indexOf("\n", a) + 1, lab.indexOf("[rc=", a));
      let got = "";
      const rc = udevadmMain(["udevadm", "info", "--query=all", `--name=/dev/${dev}`], w.host, {
        stdout: (t) => {
          got += t;
        },
        stderr: (t) => {
          got += t;
        },
      });
      expect(rc).toBe(0);
      // Link order is udevd's (hash) order and USEC_INITIALIZED a time: compare them as sets.
      const norm = (t: string) => {
        const lines = t.split("\n").filter((l) => !l.startsWith("E: USEC_INITIALIZED="));
        const links = lines.filter((l) => l.startsWith("S: ")).sort();
        const devlinks = (lines.find((l) => l.startsWith("E: DEVLINKS=")) ?? "").slice(12).split(" ").sort();
        return {
          rest: lines.filter((l) => !l.startsWith("S: ") && !l.startsWith("E: DEVLINKS=")),
          links,
          devlinks,
        };
      };
      expect(norm(got)).toEqual(norm(want));
    }
  });

  it("an inaccessible, changing or lost ANA group fails I/O after nvme_max_retries, as the lab logs it", async () => {
    const w = labWorld(false);
    const [p1] = w.ports;
    const s = w.fabric.nvmeSubsystem("subsys0")!;
    let attempts = 0;
    const exec = s.execute.bind(s);
    s.execute = (...a) => {
      attempts++;
      return exec(...a);
    };
    const lab = [
      ...hostDmesg(section(MPN, "ANA inaccessible on port 1 group 1")),
      ...hostDmesg(section(MPN, "ANA change state")),
    ];
    const got: string[] = [];
    for (const st of [AnaState.INACCESSIBLE, AnaState.CHANGE, AnaState.PERSISTENT_LOSS, AnaState.OPTIMIZED]) {
      p1!.setAnaState(1, st);
      attempts = 0;
      const cursor = w.kernel.log.cursor();
      const r = await blockIo(w, "/dev/nvme0n1", "read", 0, new Uint8Array(4096));
      got.push(...w.kernel.log.since(cursor).map((l) => l.text));
      if (st === AnaState.OPTIMIZED) expect(r.status).toBe(BlkStatus.OK);
      else {
        expect(r.status).toBe(BlkStatus.IOERR);
        expect(attempts).toBe(6); // the first try and nvme_max_retries (5) more
      }
    }
    // dd's O_DIRECT read carries REQ_SYNC (flags 0x800); the model's probe bio carries none.
    expect(got).toEqual(lab.map((l) => l.replace("flags 0x800", "flags 0x0")));
  });

  it("a port unlinked from the subsystem: error recovery at once, reconnects every 2 s, removal after ctrl_loss_tmo (20 s); waiting I/O fails with a transport error", async () => {
    const w = labWorld(false);
    const [p1] = w.ports;
    const cursor = w.kernel.log.cursor();
    p1!.setEnabled(false);
    expect(w.host.sysfs.read("/sys/class/nvme/nvme0/state")).toBe("connecting\n");
    w.clock.advance(1e9);
    const t0 = w.clock.now();
    const r = await blockIo(w, "/dev/nvme0n1", "read", 0, new Uint8Array(4096), 60e9);
    expect(r.status).toBe(BlkStatus.TRANSPORT);
    expect((w.clock.now() - t0) / 1e9).toBeCloseTo(19, 0);
    const removed = hostDmesg(section(MPN, "port 1 removed"));
    const lab = removed.slice(0, removed.findIndex((l) => /Property Set error/.test(l)) + 1);
    expect(
      w.kernel.log
        .since(cursor)
        .map((l) => l.text)
        .map((l) => l.replace("flags 0x0", "flags 0x800")),
    ).toEqual(lab);
    expect(w.host.sysfs.list("/sys/block")).toEqual(["nvme1n1", "nvme1n2"]);
    expect(w.host.sysfs.list("/sys/class/nvme")).toEqual(["nvme1"]);
  });
});

describe("NVMe with native multipath on, against the kernel lab (multipath=Y)", () => {
  it("heads nvme0n<N> over hidden paths nvme0c<C>n<N> with ana_state and ana_grpid", () => {
    const w = labWorld(true);
    const dirs = lsDirs(section(MPY, "connect"));
    for (const d of ["/sys/block", "/sys/class/nvme", "/sys/class/nvme-generic", "/sys/class/nvme-subsystem"])
      expect(w.host.sysfs.list(d), d).toEqual(dirs.get(d));
    const lab = blocks(section(MPY, "namespace attributes"));
    for (const [path, b] of lab) {
      expect(w.host.sysfs.list(path), path).toEqual(b.listing);
      for (const [k, v] of b.attrs)
        expect(`${path}:${k}=${w.host.sysfs.read(`${path}/${k}`)}`).toBe(`${path}:${k}=${v}`);
    }
    const ctl = blocks(section(MPY, "controller attributes"));
    for (const [path, b] of ctl) expect(w.host.sysfs.list(path), path).toEqual(b.listing);
    const sub = blocks(section(MPY, "subsystem")).get("/sys/class/nvme-subsystem/nvme-subsys0")!;
    expect(w.host.sysfs.list("/sys/class/nvme-subsystem/nvme-subsys0")).toEqual(sub.listing);
    for (const [k, v] of sub.attrs)
      expect(`${k}=${w.host.sysfs.read(`/sys/class/nvme-subsystem/nvme-subsys0/${k}`)}`).toBe(`${k}=${v}\n`);
  });

  it("an ANA change reaches the hidden path's ana_state through the ANA log", () => {
    const w = labWorld(true);
    w.ports[0]!.setAnaState(1, AnaState.INACCESSIBLE);
    w.clock.advance(1e9);
    const got = ["nvme0c0n1", "nvme0c0n2", "nvme0c1n1", "nvme0c1n2"].map(
      (n) => `${n} ana_state=${w.host.sysfs.read(`/sys/class/block/${n}/ana_state`)!.trim()}`,
    );
    expect(got).toEqual(MPY.split("\n").filter((l) => /^nvme0c\dn\d ana_state=/.test(l)));
  });
});
