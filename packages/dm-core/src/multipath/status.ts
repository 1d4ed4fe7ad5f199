/**
 * `multipath_status` (6.1): INFO (`dmsetup status`), TABLE (`dmsetup table`) and IMA, exactly as
 * the kernel emits them — every field followed by one space.
 *
 * ```
 * INFO:  2 <queue_io> <pg_init_count> 0 <#pgs> <pg_num>
 *        (<A|D|E> <ps status> <#paths> <info_args> (<dev> <A|F> <fail_count> <ps path status>)+)*
 * TABLE: <#features> [features] <0 | 1 hw_handler> <#pgs> <pg_num>
 *        (<selector> <ps status> <#paths> <table_args> (<dev> <ps path args>)+)*
 * ```
 */
import type { StatusType } from "../selectors/path-selector.js";
import { MpathFlag, type MpathState, PG_INIT_DELAY_DEFAULT } from "./mpath-state.js";
import type { PriorityGroup } from "./pgpath.js";

/** The fixed facts status needs besides the state. */
export interface StatusTable {
  readonly queueMode: "bio" | "request";
  readonly hwHandlerName: string | null;
  readonly pgInitRetries: number;
  readonly pgInitDelayMsecs: number;
  readonly nrPriorityGroups: number;
  readonly groups: readonly PriorityGroup[];
  /** `target_name` and `target_version` for IMA. */
  readonly targetName: string;
  readonly targetVersion: readonly [number, number, number];
}

/** `pg_num`: on 6.1 the pending `next_pg` wins over `current_pg`. */
function pgNum(s: MpathState, t: StatusTable): number {
  if (s.nextPg >= 0) return s.nextPg + 1;
  if (s.currentPg >= 0) return s.currentPg + 1;
  return t.nrPriorityGroups ? 1 : 0;
}

/** `D` bypassed (takes precedence, even for the current group), `A` current, `E` enabled. */
function pgState(s: MpathState, pg: PriorityGroup): string {
  if (s.bypassed[pg.index]) return "D";
  if (pg.index === s.currentPg) return "A";
  return "E";
}

/** A selector's fields followed by the separator, or nothing when it printed nothing. */
function psField(text: string): string {
  return text.length ? `${text} ` : "";
}

/** The target's status string for `type`. */
export function multipathStatus(s: MpathState, t: StatusTable, type: StatusType): string {
  if (type === "ima") return imaStatus(s, t);
  let out: string;
  if (type === "info") {
    out = `2 ${s.flags & MpathFlag.QUEUE_IO ? 1 : 0} ${s.pgInitCount} `;
  } else {
    const qifnp = (s.flags & MpathFlag.QUEUE_IF_NO_PATH) !== 0;
    const retain = (s.flags & MpathFlag.RETAIN_ATTACHED_HW_HANDLER) !== 0;
    const delay = t.pgInitDelayMsecs !== PG_INIT_DELAY_DEFAULT;
    const bio = t.queueMode !== "request";
    const count = +qifnp + +(t.pgInitRetries > 0) * 2 + +delay * 2 + +retain + +bio * 2;
    out = `${count} `;
    if (qifnp) out += "queue_if_no_path ";
    if (t.pgInitRetries) out += `pg_init_retries ${t.pgInitRetries} `;
    if (delay) out += `pg_init_delay_msecs ${t.pgInitDelayMsecs} `;
    if (retain) out += "retain_attached_hw_handler ";
    if (bio) out += "queue_mode bio ";
  }
  out += t.hwHandlerName === null || type === "info" ? "0 " : `1 ${t.hwHandlerName} `;
  out += `${t.nrPriorityGroups} ${pgNum(s, t)} `;

  for (const pg of t.groups) {
    if (type === "info") out += `${pgState(s, pg)} `;
    else out += `${pg.type.name} `;
    out += psField(pg.ps.status(null, type));
    out += `${pg.paths.length} ${type === "info" ? pg.type.infoArgs : pg.type.tableArgs} `;
    for (const p of pg.paths) {
      if (type === "info") {
        const ps = s.paths[p.index]!;
        out += `${p.dev.name} ${ps.active ? "A" : "F"} ${ps.failCount} `;
      } else {
        out += `${p.dev.name} `;
      }
      out += psField(pg.ps.status(p, type));
    }
  }
  return out;
}

/** STATUSTYPE_IMA: key=value pairs for the integrity measurement log. */
function imaStatus(s: MpathState, t: StatusTable): string {
  const [a, b, c] = t.targetVersion;
  let out = `target_name=${t.targetName},target_version=${a}.${b}.${c}`;
  out += `,nr_priority_groups=${t.nrPriorityGroups}`;
  t.groups.forEach((pg, g) => {
    out += `,pg_state_${g}=${pgState(s, pg)}`;
    out += `,nr_pgpaths_${g}=${pg.paths.length}`;
    out += `,path_selector_name_${g}=${pg.type.name}`;
    pg.paths.forEach((p, i) => {
      const ps = s.paths[p.index]!;
      out += `,path_name_${g}_${i}=${p.dev.name},is_active_${g}_${i}=${ps.active ? "A" : "F"},fail_count_${g}_${i}=${ps.failCount}`;
      out += `,path_selector_status_${g}_${i}=${pg.ps.status(p, "ima")}`;
    });
  });
  return `${out};`;
}
