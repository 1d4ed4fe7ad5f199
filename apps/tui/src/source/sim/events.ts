/**
 * Turns what the simulated host reports — multipathd's typed events, kernel log lines, hardware
 * events — into event-log entries.
 */

import type { DaemonEvent } from "@mp/daemon";
import { type KernelLogLine, LogLevel } from "@mp/dm-core";
import type { FabricEvent } from "@mp/fabric";
import type { NewEvent } from "../event-log.js";
import type { EventCategory } from "../model.js";

/** The log entry for a daemon event, or null for those the dashboard leaves out. */
export function daemonEventEntry(e: DaemonEvent): NewEvent | null {
  const t = e.timeNs;
  switch (e.kind) {
    case "path-state": {
      const down = e.to === "down" || e.to === "timeout" || e.to === "shaky";
      return {
        timeNs: t,
        source: "daemon",
        level: down ? "warn" : "info",
        category: "checker",
        text: `${e.dev}${e.map ? ` (${e.map})` : ""}: path ${e.from} → ${e.to}`,
        path: e.dev,
        ...(e.map ? { map: e.map } : {}),
      };
    }
    case "checker-result":
      return {
        timeNs: t,
        source: "daemon",
        level: e.state === "down" || e.state === "timeout" ? "warn" : "info",
        category: "checker",
        text: `${e.dev}: ${e.checker} checker${e.message.trim() ? `: ${e.message.replace(/^[\s:]+/, "").trim()}` : ` reports path is ${e.state}`}`,
        path: e.dev,
      };
    case "map":
      return {
        timeNs: t,
        source: "daemon",
        level: e.action === "remove" || e.action === "flush" ? "warn" : "info",
        category: "map",
        text: `${e.map}: ${e.action === "rename" ? `renamed from ${e.from ?? "?"}` : e.action}${e.params ? ` [${e.params.trim()}]` : ""}`,
        map: e.map,
      };
    case "group-switch":
      return {
        timeNs: t,
        source: "daemon",
        level: "info",
        category: "group-switch",
        text: `${e.map}: switch to path group #${e.group} (${e.reason})`,
        map: e.map,
      };
    case "queueing":
      return {
        timeNs: t,
        source: "daemon",
        level: e.enabled ? "info" : "warn",
        category: "queueing",
        text: `${e.map}: queueing ${e.enabled ? "on" : "off"} (${e.reason})`,
        map: e.map,
      };
    case "recovery":
      return {
        timeNs: t,
        source: "daemon",
        level: e.entered ? "error" : "info",
        category: "queueing",
        text: e.entered
          ? `${e.map}: no usable path, entering recovery mode (queueing for ${e.retryTick} s)`
          : `${e.map}: leaving recovery mode`,
        map: e.map,
      };
    case "path-dm":
      return {
        timeNs: t,
        source: "daemon",
        level: e.action === "fail" ? "error" : "info",
        category: e.action === "fail" ? "path-fail" : "path-reinstate",
        text: `${e.map}: ${e.action === "fail" ? "fail" : "reinstate"} path ${e.dev}`,
        map: e.map,
        path: e.dev,
      };
    case "path-added":
      return {
        timeNs: t,
        source: "daemon",
        level: "info",
        category: "other",
        text: `${e.dev}: path added${e.map ? ` to ${e.map}` : ""}`,
        path: e.dev,
        ...(e.map ? { map: e.map } : {}),
      };
    case "path-removed":
      return {
        timeNs: t,
        source: "daemon",
        level: "warn",
        category: "other",
        text: `${e.dev}: path removed${e.map ? ` from ${e.map}` : ""}`,
        path: e.dev,
        ...(e.map ? { map: e.map } : {}),
      };
    case "daemon-state":
      // The daemon goes running → idle around every checker pass: only the lifecycle is news.
      if (e.state === "running" || e.state === "idle") return null;
      return {
        timeNs: t,
        source: "daemon",
        level: "info",
        category: "other",
        text: `multipathd: ${e.state}`,
      };
    default:
      // The daemon may learn new events before the dashboard does: show them plainly.
      return {
        timeNs: (e as { timeNs: number }).timeNs,
        source: "daemon",
        level: "info",
        category: "other",
        text: `${(e as { kind: string }).kind}: ${JSON.stringify(e)}`,
      };
  }
}

/** The category of a kernel log line, by the wording dm-multipath and the SCSI layer use. */
export function kernelCategory(text: string): EventCategory {
  if (/Failing path/.test(text)) return "path-fail";
  if (/[Rr]einstat/.test(text)) return "path-reinstate";
  if (/queue_if_no_path|queueing/.test(text)) return "queueing";
  if (/switch|pg_init|activate|Switching/.test(text)) return "group-switch";
  return "kernel";
}

/** The log entry for a kernel line (debug lines are left out). */
export function kernelLogEntry(l: KernelLogLine): NewEvent | null {
  if (l.level >= LogLevel.DEBUG) return null;
  return {
    timeNs: l.timeNs,
    source: "kernel",
    level: l.level <= LogLevel.ERR ? "error" : l.level <= LogLevel.WARNING ? "warn" : "info",
    category: kernelCategory(l.text),
    text: l.text,
  };
}

/** The log entry for a hardware event. */
export function fabricEventEntry(e: FabricEvent, timeNs: number): NewEvent | null {
  const ev = (level: NewEvent["level"], text: string): NewEvent => ({
    timeNs,
    source: "fabric",
    level,
    category: "fault",
    text,
  });
  switch (e.kind) {
    case "port":
      return ev(e.up ? "info" : "warn", `${e.array}:${e.port}: target port ${e.up ? "up" : "down"}`);
    case "link":
      return ev(e.up ? "info" : "warn", `${e.link}: link ${e.up ? "up" : "down"}`);
    case "link-latency":
      return ev("info", `${e.link}: latency ${(e.ns / 1e6).toFixed(3)} ms`);
    case "alua":
      // A transition shows twice: into `transitioning` (why), then its final state.
      return ev(
        "info",
        `${e.luGroup}: target port group ${e.group} → ${e.state}${e.preferred ? " (pref)" : ""}${e.cause === "transition-done" ? "" : ` (${e.cause})`}`,
      );
    case "lun-map":
      return ev(e.mapped ? "info" : "warn", `${e.lu}: ${e.mapped ? "mapped" : "unmapped"}`);
    case "lun-resize":
      return ev("info", `${e.lu}: resized to ${e.blocks} blocks`);
    case "fault":
      return null;
    case "hba":
      return ev(e.present ? "info" : "warn", `${e.hba}: HBA ${e.present ? "inserted" : "removed"}`);
    case "ana":
      return ev("info", `${e.subsystem}: ANA group ${e.group} → ${e.state}`);
    default:
      // The fabric may learn new events before the dashboard does: show them plainly.
      return ev("info", `${(e as { kind: string }).kind}: ${JSON.stringify(e)}`);
  }
}
