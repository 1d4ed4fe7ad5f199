import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedPeerCredentials, UxServer } from "@mp/daemon";
import { realTimeClock } from "@mp/dm-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatorSource, type SimulatorSource } from "./sim/simulator-source.js";
import { createSocketSource, formatSocketAddress, parseSocketAddress } from "./socket-source.js";

describe("socket addresses", () => {
  it("reads --socket values as multipathd names them", () => {
    expect(parseSocketAddress(undefined)).toEqual({ abstract: "/org/kernel/linux/storage/multipathd" });
    expect(parseSocketAddress("@mp-test")).toEqual({ abstract: "mp-test" });
    expect(parseSocketAddress("/org/kernel/linux/storage/multipathd")).toEqual({
      abstract: "/org/kernel/linux/storage/multipathd",
    });
    expect(parseSocketAddress("/run/mp.sock")).toEqual({ path: "/run/mp.sock" });
    expect(formatSocketAddress({ abstract: "x" })).toBe("@x");
  });
});

describe("the socket source, against the simulator's multipathd on a real socket", () => {
  let sim: SimulatorSource;
  const servers: UxServer[] = [];
  const rootPath = join(tmpdir(), `mp-tui-root-${process.pid}.sock`);
  const userPath = join(tmpdir(), `mp-tui-user-${process.pid}.sock`);

  async function serve(path: string, root: boolean): Promise<UxServer> {
    rmSync(path, { force: true });
    const d = sim.daemon!;
    const server = new UxServer({
      clock: realTimeClock(),
      dispatch: (command, client, signal) => d.dispatch(command, { isRoot: client.isRoot }, signal),
      ...(root ? { peerCredentials: fixedPeerCredentials({ uid: 0, gid: 0, pid: 1 }) } : {}),
    });
    await server.listen({ path });
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    // Virtual time runs at wall speed, so the daemon answers as a real one would.
    sim = createSimulatorSource({ seed: 2 });
    await sim.start();
    await serve(rootPath, true);
    await serve(userPath, false);
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    await sim.stop();
    rmSync(rootPath, { force: true });
    rmSync(userPath, { force: true });
  });

  const simSysfs = (path: string): string | null => sim.world!.host.sysfs.read(path);

  it("polls the daemon's maps and paths", async () => {
    const src = createSocketSource({ socket: rootPath, root: true, readDmUuid: () => null });
    await src.start();
    const snap = src.current();
    expect(src.info).toMatchObject({ kind: "socket", label: `socket ${rootPath}`, readOnly: false });
    expect(snap.maps.map((m) => m.name)).toEqual(sim.current().maps.map((m) => m.name));
    expect(snap.paths).toHaveLength(36);
    const a = snap.maps[0]!;
    expect(a).toMatchObject({
      name: "mpatha",
      vendor: "LIO-ORG",
      product: "disk",
      activePaths: 4,
      totalPaths: 4,
    });
    expect(snap.pathIndex.get(a.groups[0]!.paths[0]!)).toMatchObject({
      dmState: "active",
      checkerState: "ready",
    });
    expect(snap.meters.daemon).toMatch(/idle|running/);
    // Not this host's devices: no I/O figures, and the dashboard says why.
    expect(a.iops).toBeNull();
    expect(snap.notice).toContain("I/O rates");
    await src.stop();
  });

  it("reads per-path I/O from sysfs when the daemon's maps are this host's", async () => {
    const src = createSocketSource({
      socket: rootPath,
      root: true,
      readDmUuid: (dm) => simSysfs(`/sys/block/${dm}/dm/uuid`),
      readStat: (dev) => simSysfs(`/sys/block/${dev}/stat`),
    });
    await src.start();
    await new Promise<void>((resolve) => setTimeout(resolve, 1200));
    const snap = await src.refresh();
    const a = snap.maps[0]!;
    expect(a.iops).toBeGreaterThan(0);
    expect(snap.pathIndex.get(a.groups[0]!.paths[0]!)!.iops).toBeGreaterThan(0);
    expect(snap.notice).toBeNull();
    await src.stop();
  });

  it("sends operator commands and infers the events from what changed", async () => {
    const src = createSocketSource({ socket: rootPath, root: true, readDmUuid: () => null });
    await src.start();
    const b = src.current().maps[1]!;
    const dev = b.groups[1]!.paths[0]!;
    expect(await src.act({ kind: "fail-path", path: dev })).toEqual({
      ok: true,
      request: `fail path ${dev}`,
      reply: "ok",
    });
    let snap = await src.refresh();
    expect(snap.pathIndex.get(dev)!.dmState).toBe("failed");
    expect(snap.events.map((e) => e.text)).toContain(`${dev} (${b.name}): failed in the map`);
    expect(snap.events.some((e) => e.source === "operator" && e.text === `fail path ${dev} → ok`)).toBe(true);
    expect(await src.act({ kind: "reinstate-path", path: dev })).toMatchObject({ ok: true });
    snap = await src.refresh();
    expect(snap.pathIndex.get(dev)!.dmState).toBe("active");
    expect(snap.events.map((e) => e.text)).toContain(`${dev} (${b.name}): reinstated`);
    await src.stop();
  });

  it("becomes read-only when the daemon refuses modifying commands", async () => {
    const src = createSocketSource({ socket: userPath, root: true, readDmUuid: () => null });
    await src.start();
    expect(src.info.readOnly).toBe(false);
    const r = await src.act({ kind: "suspend-map", map: "mpatha" });
    expect(r).toEqual({
      ok: false,
      request: "suspend map mpatha",
      reply: "permission deny: need to be root",
    });
    expect(src.info).toMatchObject({
      readOnly: true,
      readOnlyReason: "multipathd refuses modifying commands (not root)",
    });
    await src.stop();
  });

  it("--read-only (and not being root) never sends a modifying command", async () => {
    for (const o of [{ readOnly: true, root: true }, { root: false }]) {
      const src = createSocketSource({ socket: rootPath, readDmUuid: () => null, ...o });
      await src.start();
      expect(src.info.readOnly).toBe(true);
      const r = await src.act({ kind: "fail-path", path: "sda" });
      expect(r.ok).toBe(false);
      expect(r.reply).toMatch(/^not sent: read-only/);
      await src.stop();
    }
    expect(sim.current().pathIndex.get("sda")!.dmState).toBe("active");
  });

  it("reports a daemon that went away, and refuses to start without one", async () => {
    const path = join(tmpdir(), `mp-tui-gone-${process.pid}.sock`);
    const server = await serve(path, true);
    const src = createSocketSource({ socket: path, root: true, readDmUuid: () => null });
    await src.start();
    await server.close();
    const snap = await src.refresh();
    expect(snap.notice).toBe(`lost multipathd at ${path}; retrying…`);
    expect(snap.meters.daemon).toBe("unreachable");
    await src.stop();
    const none = createSocketSource({ socket: "@mp-tui-nobody-listens" });
    await expect(none.start()).rejects.toThrow(
      "cannot connect to multipathd at @mp-tui-nobody-listens (is it running? start one with: mp multipathd)",
    );
    await none.stop();
  });
});
