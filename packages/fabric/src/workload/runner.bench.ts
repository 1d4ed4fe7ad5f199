import { createRng, VirtualClock } from "@mp/dm-core";
import { bench, describe } from "vitest";
import { deviceProfiles } from "../timing/profiles.js";
import { QueueingResource } from "../timing/queueing-resource.js";
import type { JobOptions } from "./job-options.js";
import { RamBlockDevice } from "./ram-device.js";
import { runWorkload } from "./runner.js";

// Simulated I/Os per run: 262,144 (1 GiB of 4 KiB blocks). Divide by the time per iteration for
// I/Os per CPU-second.
const GIB = 2 ** 30;

function once(job: Omit<JobOptions, "name">, model = false): void {
  const clock = new VirtualClock();
  const dev = new RamBlockDevice(clock, {
    sizeBytes: GIB,
    delayNs: 10_000,
    store: false,
    ...(model ? { model: new QueueingResource("lun", deviceProfiles.nvme, createRng(1)) } : {}),
  });
  runWorkload({
    clock,
    rng: createRng(1),
    device: dev,
    jobs: [{ name: "b", bs: "4k", iodepth: 32, size: "1g", ...job }],
  });
}

describe("workload engine throughput (262,144 I/Os per iteration)", () => {
  bench("randread, random map, trivial device", () => once({ rw: "randread" }), { iterations: 5 });
  bench("randread, norandommap, trivial device", () => once({ rw: "randread", norandommap: 1 }), {
    iterations: 5,
  });
  bench("seq read, trivial device", () => once({ rw: "read" }), { iterations: 5 });
  bench("randrw 70/30, NVMe queueing model", () => once({ rw: "randrw", rwmixread: 70 }, true), {
    iterations: 5,
  });
});
