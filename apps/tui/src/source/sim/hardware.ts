/**
 * From a path the dashboard shows (`sdb`) to the simulated hardware under it — the SCSI disk,
 * its link, HBA, target port and logical unit — and the fault primitives applied there.
 */
import type { Clock } from "@mp/dm-core";
import {
  type Hba,
  type Link,
  type LogicalUnit,
  SdDisk,
  type SimWorld,
  type StorageArray,
  type TargetPort,
} from "@mp/fabric";
import { type ActionReply, describeFault, type FaultIntent } from "../source.js";

/** The hardware behind one path. */
export interface PathHardware {
  readonly disk: SdDisk;
  readonly link: Link;
  readonly hba: Hba;
  readonly port: TargetPort;
  readonly array: StorageArray;
  readonly lun: number;
  /** The LU (found by number even while it is unmapped). */
  readonly lu: LogicalUnit | undefined;
}

/** The hardware behind `dev` (`sdb`), or undefined when it is not a simulated SCSI disk. */
export function pathHardware(w: SimWorld, dev: string): PathHardware | undefined {
  const disk = w.kernel.block.byName(dev);
  if (!(disk instanceof SdDisk)) return undefined;
  const sdev = disk.scsi;
  const link = sdev.starget.link;
  const array = link.port.array;
  const lun = sdev.lun;
  return {
    disk,
    link,
    hba: link.hba,
    port: link.port,
    array,
    lun,
    lu: array.lus.find((l) => l.lun === lun),
  };
}

/** `hba0 → array0:A0 lun 3`. */
export function routeOf(h: PathHardware): string {
  return `${h.hba.name} → ${h.array.name}:${h.port.name} lun ${h.lun}`;
}

/** Applies faults to a world, remembering what it needs to undo them (base latencies). */
export class FaultInjector {
  readonly #w: SimWorld;
  readonly #clock: Clock;
  readonly #baseLatency = new Map<Link, number>();
  /** HBAs removed through a path, by that path's name: its disk is gone, the name is how to re-insert it. */
  readonly #removedHbas = new Map<string, Hba>();
  /** Finds the hardware of a map (by name) through one of its paths. */
  readonly #mapPath: (map: string) => string | undefined;

  constructor(w: SimWorld, mapPath: (map: string) => string | undefined) {
    this.#w = w;
    this.#clock = w.clock;
    this.#mapPath = mapPath;
  }

  /** Applies `f`; the reply says what was done (or why not). */
  inject(f: FaultIntent): ActionReply {
    const request = describeFault(f);
    const fail = (reply: string): ActionReply => ({ ok: false, request, reply });
    const done = (reply: string): ActionReply => ({ ok: true, request, reply });
    if (f.kind === "lun-unmap" || f.kind === "lun-map") {
      const dev = this.#mapPath(f.map);
      const h = dev === undefined ? undefined : pathHardware(this.#w, dev);
      if (!h?.lu) return fail(`no simulated LUN behind ${f.map}`);
      h.array.setMapped(h.lu, f.kind === "lun-map");
      return done(
        `${h.array.name} lun ${h.lun} ${f.kind === "lun-map" ? "mapped on every port" : "unmapped from every port"}`,
      );
    }
    const h = pathHardware(this.#w, f.path);
    if (!h && f.kind === "hba-up") {
      const hba = this.#removedHbas.get(f.path);
      if (!hba) return fail(`${f.path} is not a simulated SCSI path`);
      for (const [dev, x] of this.#removedHbas) if (x === hba) this.#removedHbas.delete(dev);
      hba.setPresent(true);
      return done(`${hba.name} re-inserted`);
    }
    if (!h) return fail(`${f.path} is not a simulated SCSI path`);
    switch (f.kind) {
      case "port-down":
      case "port-up":
        h.port.setUp(f.kind === "port-up");
        return done(`${h.array.name}:${h.port.name} ${f.kind === "port-up" ? "up" : "down"}`);
      case "hba-down":
      case "hba-up":
        if (f.kind === "hba-down") this.#removedHbas.set(f.path, h.hba);
        h.hba.setPresent(f.kind === "hba-up");
        return done(`${h.hba.name} ${f.kind === "hba-up" ? "re-inserted" : "removed"}`);
      case "link-flap": {
        const link = h.link;
        link.setUp(false);
        this.#clock.schedule(Math.round(f.downMs * 1e6), (l: Link) => l.setUp(true), link);
        return done(`${link.name} down for ${f.downMs} ms`);
      }
      case "slow-path": {
        const link = h.link;
        const base = this.#baseLatency.get(link) ?? link.latencyNs;
        this.#baseLatency.set(link, base);
        link.setLatency(base + Math.round(f.latencyMs * 1e6));
        return done(`${link.name} latency ${((base + f.latencyMs * 1e6) / 1e6).toFixed(3)} ms`);
      }
      case "alua-state": {
        const alua = h.lu?.alua;
        if (!alua) return fail(`${h.array.name} lun ${h.lun} has no ALUA target port groups`);
        alua.setState(h.port.group.id, f.state);
        return done(`${h.array.name} lun ${h.lun} group ${h.port.group.id} → ${f.state}`);
      }
      default: {
        const never: never = f;
        return fail(`unknown fault ${JSON.stringify(never)}`);
      }
    }
  }
}
