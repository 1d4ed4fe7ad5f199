import { Errno, type Host, read10Cdb } from "@mp/dm-core";
import { PathState } from "../path-state.js";
import { type SgIoHdr, sgIo } from "../sg-io.js";

/**
 * `sg_read` (libmultipath/libsg.c): READ(10) at LBA 0 with a 4096-byte buffer. The block size is
 * the device node's `st_blksize`, which is the page size (4096) for nodes on devtmpfs, so the CDB
 * asks for one logical block whatever the device's sector size. UNIT ATTENTION is retried (three
 * tries in all); a failed ioctl is DOWN except ENOMEM, which is UP.
 */
export function sgRead(
  host: Host,
  dev: string,
  bufLen: number,
  senseLen: number,
  timeoutSec: number,
  done: (state: PathState, hdr: SgIoHdr) => void,
): void {
  const bs = 4096;
  const blocks = Math.floor(bufLen / bs);
  let retry = 3;
  const send = (): void => {
    sgIo(
      host,
      dev,
      {
        cdb: read10Cdb(0, blocks),
        direction: "from-device",
        dxferLen: bs * blocks,
        mxSbLen: senseLen,
        timeoutMs: timeoutSec * 1000,
      },
      (h) => {
        if (h.errno) {
          done(h.errno === Errno.ENOMEM ? PathState.UP : PathState.DOWN, h);
          return;
        }
        if (h.status === 0 && h.hostStatus === 0 && h.driverStatus === 0) {
          done(PathState.UP, h);
          return;
        }
        let key = 0;
        const b = h.sbp;
        if (h.sbLenWr > 3) {
          if (b[0] === 0x72 || b[0] === 0x73) key = (b[1] ?? 0) & 0x0f;
          else if (h.sbLenWr > 13 && (((b[0] ?? 0) & 0x7f) === 0x70 || ((b[0] ?? 0) & 0x7f) === 0x71))
            key = (b[2] ?? 0) & 0x0f;
        }
        if (key === 0x6 && --retry > 0) {
          send();
          return;
        }
        done(PathState.DOWN, h);
      },
    );
  };
  send();
}
