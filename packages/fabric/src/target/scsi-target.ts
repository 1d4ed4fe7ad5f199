import { Asc, getBe16, getBe32, putBe16, putBe32, putBe64 } from "@mp/dm-core";
import { Aas } from "../hardware/alua.js";
import type { LogicalUnit, NexusUa } from "../hardware/array.js";
import { uaAsc } from "../hardware/unit-attention.js";
import { Op, Sa } from "../scsi/opcodes.js";
import { FabricAsc, type SenseSpec, sense } from "../scsi/sense.js";
import { MEDIA_NONE, MEDIA_WRITE, mediaBlocks, mediaDirection, mediaLba } from "./media-access.js";
import { SpcPersonality, type TargetContext } from "./personality.js";
import { fillDataIn, setCheckCondition, setInvalidField, type TargetIo } from "./target-io.js";

const GOOD = 0x00;
const CHECK_CONDITION = 0x02;
const RESERVATION_CONFLICT = 0x18;

/**
 * The opcodes {@link executeTargetCommand} implements (personalities add vendor ones), as a
 * table indexed by opcode: one load per command instead of a hash lookup.
 */
const ENGINE_OPCODES = opcodeTable([
  Op.TEST_UNIT_READY,
  Op.INQUIRY,
  Op.REQUEST_SENSE,
  Op.REPORT_LUNS,
  Op.READ_CAPACITY_10,
  Op.SERVICE_ACTION_IN_16,
  Op.READ_6,
  Op.READ_10,
  Op.READ_12,
  Op.READ_16,
  Op.WRITE_6,
  Op.WRITE_10,
  Op.WRITE_12,
  Op.WRITE_16,
  Op.VERIFY_10,
  Op.VERIFY_16,
  Op.WRITE_SAME_10,
  Op.WRITE_SAME_16,
  Op.SYNCHRONIZE_CACHE_10,
  Op.SYNCHRONIZE_CACHE_16,
  Op.MODE_SENSE_6,
  Op.MODE_SENSE_10,
  Op.MODE_SELECT_6,
  Op.MODE_SELECT_10,
  Op.START_STOP_UNIT,
  Op.RESERVE_6,
  Op.RESERVE_10,
  Op.RELEASE_6,
  Op.RELEASE_10,
  Op.MAINTENANCE_IN,
  Op.MAINTENANCE_OUT,
]);

function opcodeTable(ops: readonly number[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const op of ops) t[op] = 1;
  return t;
}

/** Scratch buffer for small responses (mode pages, capacity, REPORT LUNS of modest size). */
const scratch = new Uint8Array(8192);

/**
 * The SPC/SBC command engine of a simulated target LU: decodes the CDB, reports unit
 * attentions and access-state rejections, applies injected faults, moves data to and from the
 * medium and answers with status, sense and data. Identity and vendor behaviour come from the
 * array's personality.
 */
export function executeTargetCommand(ctx: TargetContext, io: TargetIo): void {
  io.status = GOOD;
  io.hostByte = 0;
  io.senseLen = 0;
  io.resid = 0;
  const lu = ctx.lu;
  if (!lu) {
    executeGeneral(ctx, io, null, null);
    return;
  }
  // First contact registers the I_T nexus with the personality's initial unit attention; a
  // path's context keeps the record (a nexus stays known to its LU).
  const memo = ctx.uaMemo;
  const nexusUa = memo != null && memo.lu === lu ? memo : rememberNexusUa(ctx, lu);
  // READ(10/16) and WRITE(10/16) on a path with nothing special about it (no fault injected, no
  // pending unit attention, not stopped, no other nexus's reservation, an active access state,
  // a personality without vendor hooks): every check of the general path would pass, so go
  // straight to the medium. This front stays small so that the command's caller can inline it;
  // anything else takes the general path, which decides the same command the same way.
  const op = io.cdb[0]!;
  if (
    (op === Op.READ_10 || op === Op.READ_16 || op === Op.WRITE_10 || op === Op.WRITE_16) &&
    nexusUa.bits === 0 &&
    plainMediaPath(ctx, lu)
  ) {
    const cdb = io.cdb;
    readWrite(
      ctx,
      io,
      op === Op.WRITE_10 || op === Op.WRITE_16,
      mediaLba(cdb),
      mediaBlocks(cdb),
      false,
      null,
    );
    return;
  }
  executeGeneral(ctx, io, lu, nexusUa);
}

/** The nexus's unit-attention record of `lu`, registered on first contact, kept in the context's memo slot. */
function rememberNexusUa(ctx: TargetContext, lu: LogicalUnit): NexusUa {
  const n = lu.nexusUa(ctx.nexus, ctx.array.personality.initialUa);
  if (ctx.uaMemo !== undefined) ctx.uaMemo = n;
  return n;
}

/** Nothing on the path or the LU stands between a READ/WRITE and the medium (see executeTargetCommand). */
function plainMediaPath(ctx: TargetContext, lu: LogicalUnit): boolean {
  const p = ctx.array.personality;
  return (
    p.plainMediaAccess === true &&
    lu.faults.size === 0 &&
    !lu.stopped &&
    (lu.reservedBy < 0 || lu.reservedBy === ctx.nexus) &&
    activeForMedia(ctx, p as SpcPersonality)
  );
}

/** The engine's general path: every command, every check, in SPC order. */
function executeGeneral(
  ctx: TargetContext,
  io: TargetIo,
  lu: LogicalUnit | null,
  nexusUa: NexusUa | null,
): void {
  const cdb = io.cdb;
  const op = cdb[0]!;
  const p = ctx.array.personality;
  const desc = ctx.array.descriptorSense;

  // Faults that act before the device sees the command (transport loss, hang, delay). The media
  // fields are read from the CDB into locals: no object per command, nothing shared with a
  // command a personality or listener might run meanwhile.
  const dir = mediaDirection(cdb);
  let deviceError: SenseSpec | number | null = null;
  let dropWrite = false;
  let corrupt: { byteOffset?: number; value?: number } | null = null;
  if (lu && lu.faults.size > 0) {
    const action = lu.faults.match({
      opcode: op,
      direction: dir === MEDIA_NONE ? null : dir === MEDIA_WRITE ? "write" : "read",
      lba: mediaLba(cdb),
      blocks: mediaBlocks(cdb),
      relPort: ctx.port.relPortId,
      initiator: ctx.initiator.id,
    });
    if (action) {
      switch (action.kind) {
        case "host":
          io.hostByte = action.hostByte;
          io.resid = io.dataInLen;
          return;
        case "timeout":
          io.noResponse = true;
          return;
        case "delay":
          io.extraDelayNs += action.ns;
          break;
        case "sense":
          deviceError = action.sense;
          break;
        case "status":
          deviceError = action.status;
          break;
        case "drop-writes":
          dropWrite = true;
          break;
        case "corrupt":
          corrupt = action;
          break;
        default: {
          const never: never = action;
          throw new Error(`unhandled ${String(never)}`);
        }
      }
    }
  }

  if (p.command(ctx, io)) return;

  if (!lu) {
    answerUnmapped(ctx, io, op, desc);
    return;
  }

  if (p.reportsUa(op)) {
    const ua = nexusUa!.take();
    if (ua >= 0) {
      setCheckCondition(io, sense(0x6, uaAsc(ua)), desc);
      io.resid = io.dataInLen;
      return;
    }
  }

  // An opcode the device does not implement is refused as such whatever the path's state (LIO
  // parses the CDB before its ALUA state check: LOG SENSE in standby is INVALID OPCODE).
  if (ENGINE_OPCODES[op] === 0) {
    setCheckCondition(io, sense(0x5, Asc.INVALID_OPCODE), desc);
    io.resid = io.dataInLen;
    return;
  }
  const reject = p.accessCheck(ctx, cdb);
  if (reject) {
    setCheckCondition(io, reject, desc);
    io.resid = io.dataInLen;
    return;
  }
  if (!SpcPersonality.alwaysAllowed(op)) {
    if (lu.stopped && (dir !== MEDIA_NONE || op === Op.TEST_UNIT_READY)) {
      setCheckCondition(io, sense(0x2, Asc.LU_NOT_READY_INIT_REQUIRED), desc);
      io.resid = io.dataInLen;
      return;
    }
    if (lu.reservedBy >= 0 && lu.reservedBy !== ctx.nexus && op !== Op.TEST_UNIT_READY) {
      io.status = RESERVATION_CONFLICT;
      io.resid = io.dataInLen;
      return;
    }
  }

  if (deviceError !== null) {
    if (typeof deviceError === "number") io.status = deviceError;
    else setCheckCondition(io, withInfo(deviceError, dir === MEDIA_NONE ? undefined : mediaLba(cdb)), desc);
    io.resid = io.dataInLen;
    return;
  }

  // READ and WRITE first: the cases are tried in order, and they are nearly every command.
  switch (op) {
    case Op.READ_6:
    case Op.READ_10:
    case Op.READ_12:
    case Op.READ_16:
    case Op.WRITE_6:
    case Op.WRITE_10:
    case Op.WRITE_12:
    case Op.WRITE_16:
      readWrite(ctx, io, dir === MEDIA_WRITE, mediaLba(cdb), mediaBlocks(cdb), dropWrite, corrupt);
      return;
    case Op.TEST_UNIT_READY:
      return;
    case Op.INQUIRY:
      inquiry(ctx, io, desc);
      return;
    case Op.REQUEST_SENSE:
      requestSense(ctx, io);
      return;
    case Op.REPORT_LUNS:
      reportLuns(ctx, io);
      return;
    case Op.READ_CAPACITY_10:
      readCapacity10(ctx, io);
      return;
    case Op.SERVICE_ACTION_IN_16:
      if ((cdb[1]! & 0x1f) === Sa.READ_CAPACITY_16) readCapacity16(ctx, io);
      else setInvalidField(io, true, 1, 4, desc);
      return;
    case Op.VERIFY_10:
    case Op.VERIFY_16:
      if (checkRange(ctx, io, false, mediaLba(cdb), mediaBlocks(cdb))) return;
      return;
    case Op.WRITE_SAME_10:
    case Op.WRITE_SAME_16:
      writeSame(ctx, io, mediaLba(cdb), mediaBlocks(cdb));
      return;
    case Op.SYNCHRONIZE_CACHE_10:
    case Op.SYNCHRONIZE_CACHE_16: {
      const lba = op === Op.SYNCHRONIZE_CACHE_10 ? getBe32(cdb, 2) : getBe32(cdb, 6);
      if (lba > lu.blocks) setCheckCondition(io, sense(0x5, Asc.LBA_OUT_OF_RANGE), desc);
      return;
    }
    case Op.MODE_SENSE_6:
    case Op.MODE_SENSE_10:
      modeSense(ctx, io);
      return;
    case Op.MODE_SELECT_6:
    case Op.MODE_SELECT_10:
      modeSelect(ctx, io);
      return;
    case Op.START_STOP_UNIT:
      if ((cdb[4]! & 0xf0) !== 0) {
        setInvalidField(io, true, 4, 7, desc);
        return;
      }
      lu.stopped = (cdb[4]! & 1) === 0;
      return;
    case Op.RESERVE_6:
    case Op.RESERVE_10:
      lu.reservedBy = ctx.nexus;
      return;
    case Op.RELEASE_6:
    case Op.RELEASE_10:
      if (lu.reservedBy === ctx.nexus) lu.reservedBy = -1;
      return;
    case Op.MAINTENANCE_IN:
      if ((cdb[1]! & 0x1f) === Sa.REPORT_TARGET_PORT_GROUPS) {
        const data = p.reportTargetPortGroups(ctx, (cdb[1]! & 0xe0) === 0x20);
        if (!data) {
          setCheckCondition(io, sense(0x5, Asc.INVALID_OPCODE), desc);
          return;
        }
        const alen = getBe32(cdb, 6);
        fillDataIn(io, data, Math.min(alen, data.length));
      } else setInvalidField(io, true, 1, 4, desc);
      return;
    case Op.MAINTENANCE_OUT:
      if ((cdb[1]! & 0x1f) === Sa.SET_TARGET_PORT_GROUPS) {
        const len = Math.min(getBe32(cdb, 6), io.dataOutLen);
        const data = io.dataOut ? io.dataOut.subarray(0, len) : new Uint8Array(0);
        const err = p.setTargetPortGroups(ctx, data);
        if (err) setCheckCondition(io, err, desc);
        else if (lu.alua?.options.stpgWaitsTransition)
          io.extraDelayNs += lu.alua.options.transitionNs * Math.max(0, (data.length - 4) >> 2);
      } else setInvalidField(io, true, 1, 4, desc);
      return;
    default:
      setCheckCondition(io, sense(0x5, Asc.INVALID_OPCODE), desc);
      io.resid = io.dataInLen;
      return;
  }
}

/** `accessCheck` of the SPC personality lets media access through (no TPGS, or an active state). */
function activeForMedia(ctx: TargetContext, p: SpcPersonality): boolean {
  const a = ctx.lu!.alua;
  if (!a || p.tpgs(ctx) === 0) return true;
  // The group's state changes rarely: the path keeps the verdict until the domain's generation moves.
  const m = ctx.mediaAccessMemo;
  if (m !== undefined && m.domain === a && m.generation === a.generation) return m.active;
  const aas = a.state(ctx.port.group.id).aas;
  const active =
    aas === Aas.ACTIVE_OPTIMIZED || aas === Aas.ACTIVE_NON_OPTIMIZED || aas === Aas.LBA_DEPENDENT;
  if (m !== undefined) {
    m.domain = a;
    m.generation = a.generation;
    m.active = active;
  }
  return active;
}

function withInfo(s: SenseSpec, lba: number | undefined): SenseSpec {
  if (s.info !== undefined || lba === undefined || s.key !== 0x3) return s;
  return { ...s, info: lba };
}

function answerUnmapped(ctx: TargetContext, io: TargetIo, op: number, desc: boolean): void {
  switch (op) {
    case Op.INQUIRY: {
      if (io.cdb[1]! & 1) {
        setCheckCondition(io, sense(0x5, Asc.LU_NOT_SUPPORTED), desc);
        return;
      }
      const std = ctx.array.personality.standardInquiry(ctx);
      std[0] = 0x7f;
      fillDataIn(io, std, Math.min(getBe16(io.cdb, 3), std.length));
      return;
    }
    case Op.REPORT_LUNS:
      reportLuns(ctx, io);
      return;
    case Op.REQUEST_SENSE: {
      const s = new Uint8Array(18);
      s[0] = 0x70;
      s[2] = 0x05;
      s[7] = 0x0a;
      s[12] = 0x25;
      fillDataIn(io, s, Math.min(io.cdb[4]!, 18));
      return;
    }
    default:
      setCheckCondition(io, sense(0x5, Asc.LU_NOT_SUPPORTED), desc);
      io.resid = io.dataInLen;
  }
}

function inquiry(ctx: TargetContext, io: TargetIo, desc: boolean): void {
  const cdb = io.cdb;
  const alloc = getBe16(cdb, 3);
  if (cdb[1]! & 0x2) {
    setInvalidField(io, true, 1, 1, desc);
    return;
  }
  if (cdb[1]! & 0x1) {
    const page = ctx.array.personality.vpdPage(ctx, cdb[2]!);
    if (!page) {
      setInvalidField(io, true, 2, -1, desc);
      return;
    }
    fillDataIn(io, page, Math.min(page.length, alloc));
    return;
  }
  if (cdb[2] !== 0) {
    setInvalidField(io, true, 2, -1, desc);
    return;
  }
  const std = ctx.array.personality.standardInquiry(ctx);
  fillDataIn(io, std, Math.min(alloc, std.length));
}

function requestSense(ctx: TargetContext, io: TargetIo): void {
  const dsense = (io.cdb[1]! & 1) !== 0;
  const alloc = io.cdb[4]!;
  const s = scratch.subarray(0, 18).fill(0);
  const lu = ctx.lu!;
  if (dsense) {
    s[0] = 0x72;
    if (lu.stopped) {
      s[1] = 0x2;
      s[2] = 0x04;
      s[3] = 0x02;
    }
    fillDataIn(io, s, Math.min(8, alloc));
    return;
  }
  s[0] = 0x70;
  s[7] = 0x0a;
  if (lu.stopped) {
    s[2] = 0x2;
    s[12] = 0x04;
    s[13] = 0x02;
  }
  fillDataIn(io, s, Math.min(18, alloc));
}

function reportLuns(ctx: TargetContext, io: TargetIo): void {
  const luns = ctx.array.lunsOf(ctx.port);
  const len = 8 + 8 * luns.length;
  const b = len <= scratch.length ? scratch.subarray(0, len).fill(0) : new Uint8Array(len);
  putBe32(b, 0, 8 * luns.length);
  luns.forEach((l, i) => {
    const off = 8 + 8 * i;
    if (l < 256) b[off + 1] = l;
    else {
      b[off] = 0x40 | ((l >> 8) & 0x3f);
      b[off + 1] = l & 0xff;
    }
  });
  // Reading the LUN inventory acknowledges REPORTED LUNS DATA HAS CHANGED (SPC-3 behaviour).
  fillDataIn(io, b, Math.min(getBe32(io.cdb, 6), len));
}

function readCapacity10(ctx: TargetContext, io: TargetIo): void {
  const lu = ctx.lu!;
  const b = scratch.subarray(0, 8).fill(0);
  putBe32(b, 0, Math.min(lu.blocks - 1, 0xffffffff));
  putBe32(b, 4, lu.blockSize);
  fillDataIn(io, b, 8);
}

function readCapacity16(ctx: TargetContext, io: TargetIo): void {
  const lu = ctx.lu!;
  const b = scratch.subarray(0, 32).fill(0);
  putBe64(b, 0, lu.blocks - 1);
  putBe32(b, 8, lu.blockSize);
  fillDataIn(io, b, Math.min(getBe32(io.cdb, 10), 32));
}

/** Range and transfer-length checks of scsi_debug's `check_device_access_params()`. */
function checkRange(ctx: TargetContext, io: TargetIo, write: boolean, lba: number, blocks: number): boolean {
  const lu = ctx.lu!;
  const desc = ctx.array.descriptorSense;
  if (lba + blocks > lu.blocks) {
    setCheckCondition(io, sense(0x5, Asc.LBA_OUT_OF_RANGE), desc);
    io.resid = io.dataInLen;
    return true;
  }
  if (blocks * lu.blockSize > lu.store.sizeBytes) {
    setCheckCondition(io, sense(0x5, Asc.INVALID_FIELD_IN_CDB), desc);
    io.resid = io.dataInLen;
    return true;
  }
  if (write && lu.writeProtected) {
    setCheckCondition(io, { key: 0x7, asc: 0x27, ascq: 0x02 }, desc);
    return true;
  }
  return false;
}

function readWrite(
  ctx: TargetContext,
  io: TargetIo,
  write: boolean,
  lba: number,
  blocks: number,
  dropWrite: boolean,
  corrupt: { byteOffset?: number; value?: number } | null,
): void {
  if (checkRange(ctx, io, write, lba, blocks)) return;
  const lu = ctx.lu!;
  const off = lba * lu.blockSize;
  const len = blocks * lu.blockSize;
  if (write) {
    if (!dropWrite && io.dataOut) lu.store.write(off, Math.min(len, io.dataOutLen), io.dataOut, 0);
    return;
  }
  const n = Math.min(len, io.dataInLen);
  if (io.dataIn) {
    lu.store.read(off, n, io.dataIn, 0);
    if (corrupt && n > 0) {
      const at = Math.min(n - 1, corrupt.byteOffset ?? 0);
      io.dataIn[at] = corrupt.value ?? io.dataIn[at]! ^ 0xff;
    }
  }
  io.resid = io.dataInLen - n;
}

function writeSame(ctx: TargetContext, io: TargetIo, lba: number, blocks: number): void {
  if (checkRange(ctx, io, true, lba, blocks)) return;
  const lu = ctx.lu!;
  const ndob = (io.cdb[1]! & 0x01) !== 0;
  const off = lba * lu.blockSize;
  const len = blocks * lu.blockSize;
  const pattern = io.dataOut;
  if (ndob || !pattern || pattern.subarray(0, lu.blockSize).every((b) => b === 0)) {
    lu.store.zero(off, len);
    return;
  }
  for (let i = 0; i < blocks; i++) lu.store.write(off + i * lu.blockSize, lu.blockSize, pattern, 0);
}

function modeSense(ctx: TargetContext, io: TargetIo): void {
  const cdb = io.cdb;
  const lu = ctx.lu!;
  const desc = ctx.array.descriptorSense;
  const six = cdb[0] === Op.MODE_SENSE_6;
  const dbd = (cdb[1]! & 0x08) !== 0;
  const pc = (cdb[2]! & 0xc0) >> 6;
  const page = cdb[2]! & 0x3f;
  const subpage = cdb[3]!;
  const llbaa = !six && (cdb[1]! & 0x10) !== 0;
  const alloc = six ? cdb[4]! : getBe16(cdb, 7);
  if (pc === 3) {
    setCheckCondition(io, sense(0x5, FabricAsc.SAVING_PARAMETERS_NOT_SUPPORTED), desc);
    return;
  }
  const body = ctx.array.personality.modePage(ctx, page, subpage, pc);
  if (!body) {
    setInvalidField(
      io,
      true,
      subpage !== 0 && subpage !== 0xff ? 3 : 2,
      subpage !== 0 && subpage !== 0xff ? -1 : 5,
      desc,
    );
    return;
  }
  const bdLen = dbd ? 0 : llbaa ? 16 : 8;
  const hdr = six ? 4 : 8;
  const total = hdr + bdLen + body.length;
  const b = scratch.subarray(0, total).fill(0);
  const devSpec = (ctx.array.personality.dpoFua === false ? 0 : 0x10) | (lu.writeProtected ? 0x80 : 0);
  if (six) {
    b[0] = total - 1;
    b[2] = devSpec;
    b[3] = bdLen;
  } else {
    putBe16(b, 0, total - 2);
    b[3] = devSpec;
    if (bdLen === 16) b[4] = 1;
    b[7] = bdLen;
  }
  if (bdLen === 8) {
    putBe32(b, hdr, lu.blocks > 0xfffffffe ? 0xffffffff : lu.blocks);
    putBe16(b, hdr + 6, lu.blockSize);
  } else if (bdLen === 16) {
    putBe64(b, hdr, lu.blocks);
    putBe32(b, hdr + 12, lu.blockSize);
  }
  b.set(body, hdr + bdLen);
  fillDataIn(io, b, Math.min(alloc, total));
}

function modeSelect(ctx: TargetContext, io: TargetIo): void {
  const cdb = io.cdb;
  const desc = ctx.array.descriptorSense;
  const six = cdb[0] === Op.MODE_SELECT_6;
  const pf = (cdb[1]! & 0x10) !== 0;
  const plen = six ? cdb[4]! : getBe16(cdb, 7);
  if (!pf) {
    setInvalidField(io, true, six ? 4 : 7, -1, desc);
    return;
  }
  const data = io.dataOut ? io.dataOut.subarray(0, Math.min(plen, io.dataOutLen)) : new Uint8Array(0);
  const bdLen = six ? (data[3] ?? 0) : getBe16(data, 6);
  const off = bdLen + (six ? 4 : 8);
  if (off >= data.length) {
    setInvalidField(io, false, 0, -1, desc);
    return;
  }
  const spf = (data[off]! & 0x40) !== 0;
  const pgLen = spf ? getBe16(data, off + 2) + 4 : data[off + 1]! + 2;
  if (off + pgLen > plen) {
    setCheckCondition(io, sense(0x5, FabricAsc.PARAMETER_LIST_LENGTH_ERROR), desc);
    return;
  }
  const err = ctx.array.personality.modeSelect(ctx, data.subarray(off, off + pgLen));
  if (err) setCheckCondition(io, err, desc);
}

export { CHECK_CONDITION };
