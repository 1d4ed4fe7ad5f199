import type { ResourceSpec } from "./queueing-resource.js";

const US = 1_000;
const MS = 1_000_000;
const MB = 1_000_000;

/**
 * Device timing profiles (a LUN's own service), as data. Build one with
 * `new QueueingResource(name, deviceProfiles["sas-ssd"], rng, { capacitySectors })`.
 *
 * Where the numbers come from:
 *
 * - `sas-hdd-10k` — Seagate Savvio 10K.4 SAS product manual (Seagate 100539221, Rev. A, §4.1–4.2):
 *   10,000 rpm (6 ms/rev, 3.0 ms average rotational latency); seek read/write without controller
 *   overhead: single track 0.30/0.56 ms, average 3.8/4.4 ms, full stroke 7.81/8.18 ms; controller
 *   overhead 0.2 ms (the manual's with/without-overhead columns differ by it); 677,557 bytes per
 *   track; internal data rate 1.62 Gb/s. The user data rate (150 MB/s outer, 90 MB/s inner) is our
 *   estimate: the internal rate less format/ECC overhead, and the usual ~60% inner/outer ratio of
 *   2.5-inch drives. Random 4 KiB reads come out near 1/(0.2+3.8+3.0 ms) ≈ 140 IOPS, as such
 *   drives measure. Write cache is off (the array owns caching); commands are not reordered.
 * - `sas-ssd` — Samsung PM1643 12 Gb/s SAS (announcement, StorageReview 2018-02): up to 400K/50K
 *   random 4 KiB read/write IOPS, 2,100/1,700 MB/s sequential read/write. Latency is our
 *   assumption, typical of 12G SAS SSDs at queue depth 1 (lognormal, read 120±30 µs, write
 *   40±15 µs — writes land in the power-protected DRAM cache); 64 commands in service at once.
 * - `nvme` — Micron 9200 PRO NVMe datasheet (PCIe Gen3 x4): QD1 latency read 92 µs (typical,
 *   92–150 µs), write 21 µs; up to 840K/285K random 4 KiB read/write IOPS (steady state); 3.5 GB/s
 *   sequential read and write. Spread (±20 µs, ±6 µs, lognormal) is our assumption; 128 commands
 *   in service at once (the datasheet's 128 queue pairs).
 *
 * Caps are per device: the serializer's `max(bytes/bandwidth, 1/iops)` gives the IOPS ceiling at
 * small blocks and the bandwidth ceiling at large ones.
 */
export const deviceProfiles = {
  "sas-hdd-10k": {
    queueDepth: 1,
    mechanics: {
      rpm: 10_000,
      readSeek: { trackToTrackNs: 0.3 * MS, averageNs: 3.8 * MS, fullStrokeNs: 7.81 * MS },
      writeSeek: { trackToTrackNs: 0.56 * MS, averageNs: 4.4 * MS, fullStrokeNs: 8.18 * MS },
      commandOverheadNs: 0.2 * MS,
      outerBytesPerSec: 150 * MB,
      innerBytesPerSec: 90 * MB,
      bytesPerTrack: 677_557,
    },
  },
  "sas-ssd": {
    queueDepth: 64,
    service: {
      read: { kind: "lognormal", meanNs: 120 * US, stddevNs: 30 * US },
      write: { kind: "lognormal", meanNs: 40 * US, stddevNs: 15 * US },
    },
    rate: {
      read: { bytesPerSec: 2_100 * MB, iops: 400_000 },
      write: { bytesPerSec: 1_700 * MB, iops: 50_000 },
      duplex: "full",
    },
  },
  nvme: {
    queueDepth: 128,
    service: {
      read: { kind: "lognormal", meanNs: 92 * US, stddevNs: 20 * US },
      write: { kind: "lognormal", meanNs: 21 * US, stddevNs: 6 * US },
    },
    rate: {
      read: { bytesPerSec: 3_500 * MB, iops: 840_000 },
      write: { bytesPerSec: 3_500 * MB, iops: 285_000 },
      duplex: "full",
    },
  },
} as const satisfies Record<string, ResourceSpec>;

/** Names of the built-in device profiles. */
export type DeviceProfileName = keyof typeof deviceProfiles;

/**
 * Port (link) timing profiles: the transport between initiator and LUN, shared by every LUN
 * behind the port. Full duplex: reads (target → initiator) and writes have separate bandwidth.
 *
 * - `fc-16g` / `fc-32g` — 16GFC and 32GFC carry 1,600 and 3,200 MB/s per direction (FCIA speed
 *   roadmap). Latency is our assumption: ~2 µs of switch hop and ~4 µs of target-port command
 *   handling, a 2,048-command port queue (a common per-port limit of arrays).
 * - `sas-12g` — one 12 Gb/s SAS lane, 8b/10b coded: 1,200 MB/s per direction; ~2 µs (assumed).
 * - `iscsi-10g` — 10 GbE carries 1,250 MB/s raw; ~1,180 MB/s of iSCSI payload after Ethernet,
 *   IP, TCP and iSCSI headers at 9000-byte frames (our estimate); ~25 µs of TCP/IP stack on the
 *   two ends (assumed).
 */
export const portProfiles = {
  "fc-16g": {
    queueDepth: 2048,
    service: { kind: "fixed", ns: 4 * US },
    latencyNs: 2 * US,
    rate: { read: { bytesPerSec: 1_600 * MB }, write: { bytesPerSec: 1_600 * MB }, duplex: "full" },
  },
  "fc-32g": {
    queueDepth: 2048,
    service: { kind: "fixed", ns: 4 * US },
    latencyNs: 2 * US,
    rate: { read: { bytesPerSec: 3_200 * MB }, write: { bytesPerSec: 3_200 * MB }, duplex: "full" },
  },
  "sas-12g": {
    latencyNs: 2 * US,
    rate: { read: { bytesPerSec: 1_200 * MB }, write: { bytesPerSec: 1_200 * MB }, duplex: "full" },
  },
  "iscsi-10g": {
    latencyNs: 25 * US,
    rate: { read: { bytesPerSec: 1_180 * MB }, write: { bytesPerSec: 1_180 * MB }, duplex: "full" },
  },
} as const satisfies Record<string, ResourceSpec>;

/** Names of the built-in port profiles. */
export type PortProfileName = keyof typeof portProfiles;
