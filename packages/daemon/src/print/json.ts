/**
 * `show maps json` and `show map M json` (print.c `snprint_multipath_topology_json`,
 * `snprint_multipath_map_json`), schema version 0.1: 3-space indentation, `" : "` between keys and
 * values (`": "` for the version fields and the array keys), values printed with the format
 * wildcards and — as upstream — not escaped.
 */
import type { Multipath } from "../structs/structs.js";
import { type StrBuf, snprintMultipath, snprintPath, snprintPathgroup } from "./format.js";
import type { PrintEnv } from "./print-env.js";

const JSON_INDENT_N = 3;
/** PRINT_JSON_MAJOR_VERSION. */
export const JSON_MAJOR_VERSION = 0;
/** PRINT_JSON_MINOR_VERSION. */
export const JSON_MINOR_VERSION = 1;

const JSON_MAP = [
  "{",
  '      "name" : "%n",',
  '      "uuid" : "%w",',
  '      "sysfs" : "%d",',
  '      "failback" : "%F",',
  '      "queueing" : "%Q",',
  '      "paths" : %N,',
  '      "write_prot" : "%r",',
  '      "dm_st" : "%t",',
  '      "features" : "%f",',
  '      "hwhandler" : "%h",',
  '      "action" : "%A",',
  '      "path_faults" : %0,',
  '      "vend" : "%v",',
  '      "prod" : "%p",',
  '      "rev" : "%e",',
  '      "switch_grp" : %1,',
  '      "map_loads" : %2,',
  '      "total_q_time" : %3,',
  '      "q_timeouts" : %4,',
].join("\n");

const JSON_GROUP = [
  "{",
  '         "selector" : "%s",',
  '         "pri" : %p,',
  '         "dm_st" : "%t",',
  '         "marginal_st" : "%M",',
].join("\n");

const JSON_PATH = [
  "{",
  '            "dev" : "%d",',
  '            "dev_t" : "%D",',
  '            "dm_st" : "%t",',
  '            "dev_st" : "%o",',
  '            "chk_st" : "%T",',
  '            "checker" : "%c",',
  '            "pri" : %p,',
  '            "host_wwnn" : "%N",',
  '            "target_wwnn" : "%n",',
  '            "host_wwpn" : "%R",',
  '            "target_wwpn" : "%r",',
  '            "host_adapter" : "%a",',
  '            "lun_hex" : "%L",',
  '            "marginal_st" : "%M"',
].join("\n");

function indent(level: number): string {
  return " ".repeat(level * JSON_INDENT_N);
}

function jsonHeader(buf: StrBuf): void {
  buf.append("{\n");
  buf.append(`   "major_version": ${JSON_MAJOR_VERSION},\n   "minor_version": ${JSON_MINOR_VERSION},\n`);
}

function elemFooter(buf: StrBuf, level: number, last: boolean): void {
  buf.append(indent(level) + (last ? "}" : "},"));
}

function multipathFieldsJson(buf: StrBuf, mpp: Multipath, last: boolean, env: PrintEnv): void {
  snprintMultipath(buf, mpp, JSON_MAP, null, env);
  buf.append(`${indent(2)}"path_groups": [`);
  mpp.pg.forEach((pg, i) => {
    snprintPathgroup(buf, pg, JSON_GROUP, env);
    buf.append(`         "group" : ${i + 1},\n`);
    buf.append(`${indent(3)}"paths": [`);
    pg.paths.forEach((pp, j) => {
      snprintPath(buf, pp, JSON_PATH, null, env);
      elemFooter(buf, 3, j + 1 === pg.paths.length);
    });
    buf.append("]\n");
    elemFooter(buf, 2, i + 1 === mpp.pg.length);
  });
  buf.append("]\n");
  elemFooter(buf, 1, last);
}

/** `snprint_multipath_map_json()`: `show map M json`. Throws PrintAbort mid-way where upstream fails. */
export function snprintMultipathMapJson(buf: StrBuf, mpp: Multipath, env: PrintEnv): void {
  jsonHeader(buf);
  buf.append('   "map":');
  multipathFieldsJson(buf, mpp, true, env);
  buf.append("\n");
  buf.append("}\n");
}

/** `snprint_multipath_topology_json()`: `show maps json`. Throws PrintAbort mid-way where upstream fails. */
export function snprintMultipathTopologyJson(buf: StrBuf, maps: readonly Multipath[], env: PrintEnv): void {
  jsonHeader(buf);
  buf.append(`${indent(1)}"maps": [`);
  maps.forEach((mpp, i) => {
    multipathFieldsJson(buf, mpp, i + 1 === maps.length, env);
  });
  buf.append("]\n");
  buf.append("}\n");
}
