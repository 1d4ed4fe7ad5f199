import { NVMET_MAX_ANAGRPS, type NvmetNamespace } from "../hardware/nvme-target.js";
import { NvmePathStatus } from "./ana.js";
import type { NvmeCtrl } from "./nvme-ctrl.js";

/**
 * The admin commands user space sends through `NVME_IOCTL_ADMIN_CMD` (what multipath-tools'
 * `ana` prioritizer and `nvme-cli` use): Identify (controller, namespace, namespace
 * identification descriptors) and Get Log Page (ANA), answered as nvmet fills them.
 * Little-endian, as NVMe structures are.
 */

/** Admin opcodes. */
export const NvmeAdminOpcode = {
  GET_LOG_PAGE: 0x02,
  IDENTIFY: 0x06,
} as const;

/** Identify CNS values. */
export const NvmeCns = {
  NAMESPACE: 0x00,
  CONTROLLER: 0x01,
  NS_DESC_LIST: 0x03,
} as const;

/** Log page ids. */
export const NvmeLogId = {
  ANA: 0x0c,
} as const;

/** `struct nvme_admin_cmd` (the fields the model reads). */
export interface NvmeAdminCommand {
  readonly opcode: number;
  readonly nsid?: number;
  /** CDW10: CNS for Identify; LID, LSP (bit 8-11: RGO is bit 8), NUMDL for Get Log Page. */
  readonly cdw10?: number;
  readonly cdw11?: number;
  /** Data buffer length (`data_len`). */
  readonly dataLength: number;
}

/** The completion: status field (0 = success), CQE dword 0, the data-in buffer. */
export interface NvmeAdminResult {
  readonly status: number;
  readonly result: number;
  readonly data: Uint8Array;
}

function putLe16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

function putLe32(b: Uint8Array, off: number, v: number): void {
  for (let i = 0; i < 4; i++) b[off + i] = (v >>> (8 * i)) & 0xff;
}

function putLe64(b: Uint8Array, off: number, v: number): void {
  putLe32(b, off, v % 2 ** 32);
  putLe32(b, off + 4, Math.floor(v / 2 ** 32));
}

function putAscii(b: Uint8Array, off: number, len: number, s: string): void {
  for (let i = 0; i < len; i++) b[off + i] = i < s.length ? s.charCodeAt(i) : 0x20;
}

/** Identify Controller (CNS 1) as `nvmet_execute_identify_ctrl` fills it. */
export function identifyController(ctrl: NvmeCtrl): Uint8Array {
  const t = ctrl.port.subsys;
  const b = new Uint8Array(4096);
  putLe16(b, 0, t.vendorId);
  putLe16(b, 2, t.vendorId);
  putAscii(b, 4, 20, t.serial);
  putAscii(b, 24, 40, t.model);
  putAscii(b, 64, 8, t.firmwareRev);
  b[72] = 6; // RAB
  // CMIC: multi-port, multi-controller, ANA reporting.
  b[76] = 0x01 | 0x02 | 0x08;
  putLe16(b, 78, ctrl.cntlid);
  putLe32(b, 80, 0x00010300); // VER 1.3
  putLe32(b, 92, (1 << 8) | (1 << 11)); // OAES: namespace attribute and ANA change notices
  b[111] = 1; // CNTRLTYPE: I/O controller
  b[258] = 3; // ACL
  b[259] = 3; // AERL
  b[261] = (1 << 0) | (1 << 1) | (1 << 2); // LPA
  b[262] = 127; // ELPE
  putLe16(b, 320, 100); // KAS: 100 ms units
  b[338] = Math.min(255, t.anattSecs); // ANATT
  b[339] = 0x1f; // ANACAP: optimized … change reported (ANAGRPID may change: bit 6 clear)
  putLe32(b, 340, NVMET_MAX_ANAGRPS); // ANAGRPMAX
  putLe32(b, 344, NVMET_MAX_ANAGRPS); // NANAGRPID
  b[512] = 0x66; // SQES
  b[513] = 0x44; // CQES
  putLe16(b, 514, 128); // MAXCMD
  putLe32(b, 516, 1024); // NN
  putLe32(b, 540, 1024); // MNAN
  const nqn = new TextEncoder().encode(t.nqn);
  b.set(nqn.subarray(0, 256), 768);
  return b;
}

/** Identify Namespace (CNS 0) of one namespace. */
export function identifyNamespace(ns: NvmetNamespace): Uint8Array {
  const b = new Uint8Array(4096);
  putLe64(b, 0, ns.blocks);
  putLe64(b, 8, ns.blocks);
  putLe64(b, 16, ns.blocks);
  b[30] = 1; // NMIC: shared
  putLe32(b, 92, ns.anaGroup);
  if (ns.nguid) b.set(ns.nguid, 104);
  if (ns.eui64) b.set(ns.eui64, 120);
  b[128 + 2] = Math.log2(ns.blockSize); // LBAF0.LBADS
  return b;
}

/** Namespace Identification Descriptor list (CNS 3): EUI-64, NGUID, UUID. */
export function nsDescriptors(ns: NvmetNamespace): Uint8Array {
  const b = new Uint8Array(4096);
  let off = 0;
  const put = (type: number, bytes: Uint8Array) => {
    b[off] = type;
    b[off + 1] = bytes.length;
    b.set(bytes, off + 4);
    off += 4 + bytes.length;
  };
  if (ns.eui64) put(1, ns.eui64);
  if (ns.nguid) put(2, ns.nguid);
  if (ns.uuid)
    put(
      3,
      Uint8Array.from(
        ns.uuid
          .replace(/-/g, "")
          .match(/../g)!
          .map((h) => Number.parseInt(h, 16)),
      ),
    );
  return b;
}

/**
 * The ANA log page (LID 0Ch) as the controller's port reports it: the header (change count,
 * group count) and a descriptor per ANA group with namespaces; `rgo` leaves the NSID lists out.
 */
export function anaLogPage(ctrl: NvmeCtrl, rgo: boolean, changeCount: number): Uint8Array {
  const groups = ctrl.port.anaLog();
  let len = 16;
  for (const g of groups) len += 32 + (rgo ? 0 : 4 * g.nsids.length);
  const b = new Uint8Array(len);
  putLe64(b, 0, changeCount);
  putLe16(b, 8, groups.length);
  let off = 16;
  for (const g of groups) {
    putLe32(b, off, g.group);
    putLe32(b, off + 4, rgo ? 0 : g.nsids.length);
    putLe64(b, off + 8, changeCount);
    b[off + 16] = g.state;
    off += 32;
    if (!rgo)
      for (const n of g.nsids) {
        putLe32(b, off, n);
        off += 4;
      }
  }
  return b;
}

/**
 * Executes an admin command on a live controller: the data as the target returns it (cut or
 * zero-filled to `dataLength`), or Invalid Field (02h) for what the model does not answer.
 */
export function executeAdmin(ctrl: NvmeCtrl, cmd: NvmeAdminCommand, changeCount: number): NvmeAdminResult {
  const len = Math.max(0, cmd.dataLength);
  const out = new Uint8Array(len);
  const ok = (src: Uint8Array): NvmeAdminResult => {
    out.set(src.subarray(0, Math.min(len, src.length)));
    return { status: 0, result: 0, data: out };
  };
  const invalidField: NvmeAdminResult = { status: 0x02 | 0x4000, result: 0, data: out };
  const cdw10 = cmd.cdw10 ?? 0;
  switch (cmd.opcode) {
    case NvmeAdminOpcode.IDENTIFY: {
      const cns = cdw10 & 0xff;
      if (cns === NvmeCns.CONTROLLER) return ok(identifyController(ctrl));
      const ns = ctrl.port.subsys.namespace(cmd.nsid ?? 0);
      if (cns === NvmeCns.NAMESPACE) return ns ? ok(identifyNamespace(ns)) : ok(new Uint8Array(4096));
      if (cns === NvmeCns.NS_DESC_LIST)
        return ns ? ok(nsDescriptors(ns)) : { ...invalidField, status: 0x0b | 0x4000 };
      return invalidField;
    }
    case NvmeAdminOpcode.GET_LOG_PAGE: {
      const lid = cdw10 & 0xff;
      if (lid !== NvmeLogId.ANA) return invalidField;
      const rgo = ((cdw10 >> 8) & 0x1) !== 0;
      return ok(anaLogPage(ctrl, rgo, changeCount));
    }
    default:
      return { status: 0x01 | 0x4000, result: 0, data: out };
  }
}

/** Status of an admin command sent to a controller that is not live (a host path error). */
export const ADMIN_NOT_LIVE = NvmePathStatus.HOST_PATH_ERROR;
