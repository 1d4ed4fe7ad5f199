import { testUnitReadyCdb } from "@mp/dm-core";
import { definePrioritizer, getPrioTimeout, type Prioritizer } from "../prio.js";
import { sgAllGood, sgHasSense, sgIo } from "../sg-io.js";

const HP_PATH_ACTIVE = 0x04;
const HP_PATH_STANDBY = 0x02;
const HP_PATH_FAILED = 0x00;

/**
 * The `hp_sw` prioritizer (HP active/standby controllers): TEST UNIT READY answers 4 for the
 * active path (also on RECOVERED ERROR), 2 for the standby one (NOT READY 04/02), 0 otherwise;
 * a UNIT ATTENTION with ASC 29 (reset) is retried, as often as the device gives it.
 */
export function createHpSwPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "hp_sw",
    getprio(pp, _args, timeout, env, done) {
      const send = (): void => {
        sgIo(
          env.host,
          pp.dev,
          {
            cdb: testUnitReadyCdb(),
            direction: "none",
            dxferLen: 0,
            mxSbLen: 128,
            timeoutMs: getPrioTimeout(timeout, 60000),
          },
          (h) => {
            if (h.errno) {
              env.log(0, `${pp.dev}: hp_sw prio: sending tur command failed`);
              done(HP_PATH_FAILED);
              return;
            }
            let ret = HP_PATH_FAILED;
            if (sgAllGood(h)) ret = HP_PATH_ACTIVE;
            if (sgHasSense(h) && h.sbLenWr > 2) {
              const b = h.sbp;
              const desc = ((b[0] ?? 0) & 0x2) !== 0;
              const key = desc ? (b[1] ?? 0) & 0xf : (b[2] ?? 0) & 0xf;
              const asc = desc ? (b[2] ?? 0) : (b[12] ?? 0);
              const ascq = desc ? (b[3] ?? 0) : (b[13] ?? 0);
              if (key === 0x01) ret = HP_PATH_ACTIVE;
              if (key === 0x02 && asc === 0x04 && ascq === 0x02) ret = HP_PATH_STANDBY;
              if (key === 0x06 && asc === 0x29) {
                send();
                return;
              }
            }
            done(ret);
          },
        );
      };
      send();
    },
  });
}
