/**
 * `sysfs_set_scsi_tmo` (libmultipath/discovery.c): the transport timeouts of a map's paths —
 * fast_io_fail_tmo and dev_loss_tmo on FC remote ports, recovery_tmo on iSCSI sessions, the
 * I_T nexus loss timeout on SAS end devices, eh_deadline on SCSI devices — chosen by propsel
 * (`planScsiTimeouts`) and written to sysfs here.
 */

import { planScsiTimeouts } from "../config/propsel.js";
import type { OffOrNumber } from "../config/structs.js";
import { NoPathRetry } from "../structs/structs.js";
import type { LibmpContext } from "./context.js";
import { pathSelectContext } from "./discovery.js";
import type { MpMap } from "./structs.js";
import { cStrtoul, parentsOf, readAttr, scsiDeviceParent } from "./sysfs.js";

/** `DEFAULT_DEV_LOSS_TMO`: the FC limit when fast_io_fail is not set. */
const DEFAULT_DEV_LOSS_TMO = 600;

function tmoText(v: OffOrNumber): string {
  return v === "off" ? "off" : String(v);
}

function write(ctx: LibmpContext, dir: string, attr: string, value: string, what: string): boolean {
  const err = ctx.host.sysfs.write(`${dir}/${attr}`, value);
  if (err === 0) return true;
  if (err === 16) ctx.log.log(3, `${what}: rport blocked`);
  else ctx.log.log(0, `${what}: failed to set ${attr} to ${value}`);
  return false;
}

/** Applies the transport timeouts of every path of `mpp`. */
export function sysfsSetScsiTmo(ctx: LibmpContext, mpp: MpMap): void {
  const alias = mpp.alias ?? mpp.wwid;
  const npr =
    mpp.noPathRetry > 0 ? mpp.noPathRetry : mpp.noPathRetry === NoPathRetry.QUEUE ? "queue" : undefined;
  const plans = planScsiTimeouts(
    { alias, config: ctx.config, noPathRetry: npr },
    mpp.paths.map((pp) => pathSelectContext(ctx, pp)),
    ctx.configLog,
  );
  const sysfs = ctx.host.sysfs;
  plans.forEach((plan, i) => {
    const pp = mpp.paths[i]!;
    if (plan.writeEhDeadline && plan.ehDeadline !== undefined && pp.udev !== null) {
      const sdev = scsiDeviceParent(ctx.host, pp.udev);
      if (sdev !== null) write(ctx, sdev.path, "eh_deadline", tmoText(plan.ehDeadline.value), pp.dev);
    }
    switch (plan.transport) {
      case "fcp": {
        const rport = `rport-${pp.sgId.hostNo}:${pp.sgId.channel}-${pp.sgId.transportId}`;
        const dir = `/sys/class/fc_remote_ports/${rport}`;
        const cur = readAttr(sysfs, dir, "dev_loss_tmo");
        if (cur === null) {
          if (sysfs.list(dir) === null) ctx.log.log(1, `${pp.dev}: No fc_remote_port device for '${rport}'`);
          else ctx.log.log(0, `${rport}: failed to read dev_loss_tmo value, error 2`);
          break;
        }
        const tmo = cStrtoul(cur);
        if (tmo === null) {
          ctx.log.log(0, `${rport}: Cannot parse dev_loss_tmo attribute '${cur}'`);
          break;
        }
        let devLoss = plan.devLoss?.value;
        const fio = plan.fastIoFail.value;
        if (typeof fio === "number" && fio > 0) {
          if (fio >= tmo && !write(ctx, dir, "dev_loss_tmo", String(fio + 1), rport)) break;
        } else if (
          devLoss !== undefined &&
          devLoss > DEFAULT_DEV_LOSS_TMO &&
          mpp.noPathRetry !== NoPathRetry.QUEUE
        ) {
          ctx.log.log(
            2,
            `${rport}: limiting dev_loss_tmo to ${DEFAULT_DEV_LOSS_TMO}, since fast_io_fail is not set`,
          );
          devLoss = DEFAULT_DEV_LOSS_TMO;
        }
        write(ctx, dir, "fast_io_fail_tmo", tmoText(fio), rport);
        if (devLoss !== undefined) write(ctx, dir, "dev_loss_tmo", String(devLoss >>> 0), rport);
        break;
      }
      case "iscsi": {
        if (plan.devLoss !== undefined) ctx.log.log(3, `${pp.dev}: ignoring dev_loss_tmo on iSCSI`);
        const session = `session${pp.sgId.transportId}`;
        const dir = `/sys/class/iscsi_session/${session}`;
        if (sysfs.list(dir) === null) {
          ctx.log.log(1, `${pp.dev}: No iscsi session for '${session}'`);
          break;
        }
        const fio = plan.fastIoFail.value;
        if (fio === "off") ctx.log.log(3, `${pp.dev}: can't switch off fast_io_fail_tmo on iSCSI`);
        else if (fio === 0) ctx.log.log(3, `${pp.dev}: can't set fast_io_fail_tmo to '0'on iSCSI`);
        else if (sysfs.write(`${dir}/recovery_tmo`, String(fio)) !== 0)
          ctx.log.log(3, `${pp.dev}: Failed to set recovery_tmo to ${fio}`);
        break;
      }
      case "sas": {
        if (plan.devLoss === undefined || pp.udev === null) break;
        const ed = parentsOf(pp.udev.syspath).find((p) => p.sysname.startsWith("end_device-"));
        if (ed === undefined) {
          ctx.log.log(1, `${pp.dev}: No SAS end device`);
          break;
        }
        const dir = `/sys/class/sas_end_device/${ed.sysname}`;
        if (sysfs.list(dir) === null) {
          ctx.log.log(1, `${pp.dev}: No SAS end device for '${ed.sysname}'`);
          break;
        }
        if (sysfs.write(`${dir}/I_T_nexus_loss_timeout`, String(plan.devLoss.value >>> 0)) !== 0)
          ctx.log.log(3, `${pp.dev}: failed to update I_T Nexus loss timeout`);
        break;
      }
      default:
        break;
    }
  });
}
