/**
 * The benchmark families, in run order (the I/O path and its fio peer back to back). Each
 * family's code is loaded only in the child process that runs it, so the runner itself needs no
 * workspace package (and a family measures a heap holding nothing but its own world).
 */
import type { BenchContext, BenchResult, Family } from "../harness.js";

type Run = (ctx: BenchContext) => Promise<BenchResult[]>;

/** The selectors measured, one process each (see selectors.ts). */
const SELECTOR_NAMES = [
  "round-robin",
  "queue-length",
  "service-time",
  "historical-service-time",
  "io-affinity",
];

export const FAMILIES: readonly Family[] = [
  {
    id: "selectors",
    title: "Path selectors: select + start_io + end_io",
    // One process per selector: the timed loop's call sites then see one selector class, as a
    // map's priority group does, instead of turning megamorphic as the selectors go by.
    cases: () => SELECTOR_NAMES,
    load: async (): Promise<Run> => (await import("./selectors.js")).run,
  },
  {
    id: "tables",
    title: "Multipath tables: ctr (table load) and status TABLE / INFO",
    load: async (): Promise<Run> => (await import("./tables.js")).run,
  },
  {
    id: "io-path",
    title: "I/O path end to end: workload → dm → multipath → selector → sd → FC → LUN → completion",
    pin: true,
    // The layers run in their own process: the engine's call sites would otherwise see three
    // kinds of device and the full stack would be measured with polymorphic code. For the same
    // reason the verify runs (writes, checksums, the verify map) have a process of their own: run
    // first in the same process they made the plain random reads ~25 % slower than fio's job,
    // which runs alone, is measured.
    cases: () => ["full", "verify", "layers"],
    load: async (): Promise<Run> => (await import("./io-path.js")).run,
  },
  {
    id: "fio-peer",
    title: "Peer: fio --ioengine=null, 4 KiB random reads, iodepth 32, same core",
    pin: true,
    load: async (): Promise<Run> => (await import("./fio-peer.js")).run,
  },
  {
    id: "daemon-scale",
    title: "multipathd at scale: cold start, checker pass, event-loop blocking, peak RSS",
    cases: () => ["cold-start-1k", "cold-start-16k", "checker-pass-4k"],
    load: async (): Promise<Run> => (await import("./daemon-scale.js")).run,
  },
  {
    id: "virtual-time",
    title: "Virtual-time experiments: the seed's fio matrix, wall time",
    load: async (): Promise<Run> => (await import("./virtual-time.js")).run,
  },
  {
    id: "dashboard",
    title: "Dashboard: CPU share rendering 256 maps / 1,024 paths at 4 Hz",
    // As shipped (`mp tui` runs React and Ink's production builds: NODE_ENV=production), and
    // their development builds (NODE_ENV unset), to show what the switch is worth. Without CI
    // and CONTINUOUS_INTEGRATION: under either, Ink writes only the last frame at exit (its
    // is-in-ci mode), so there would be no live frames to measure; `mp tui` on a terminal drops
    // them the same way.
    cases: () => ["as-shipped", "development"],
    caseEnv: (c) => ({
      NODE_ENV: c === "development" ? null : "production",
      CI: null,
      CONTINUOUS_INTEGRATION: null,
    }),
    load: async (): Promise<Run> => (await import("./dashboard.js")).run,
  },
];
