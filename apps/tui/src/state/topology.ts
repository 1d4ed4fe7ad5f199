/**
 * A map's topology drawn as `multipath -ll` draws it (multipath-tools 0.9.4,
 * `print_multipath_topology`): the name line, the properties line, then each priority group with
 * its paths, path columns padded to the widest value among the map's paths.
 *
 * ```
 * mpatha (36001405…) dm-0 LIO-ORG,disk
 * size=1.0G features='1 queue_if_no_path' hwhandler='1 alua' wp=rw
 * |-+- policy='service-time 0' prio=50 status=active
 * | |- 1:0:0:0 sda 8:0  active ready running
 * | `- 2:0:0:0 sdb 8:16 active ready running
 * `-+- policy='service-time 0' prio=10 status=enabled
 *   `- 1:0:1:0 sdc 8:32 active ready running
 * ```
 */
import type { DashboardSnapshot, GroupView, MapView, PathView } from "../source/model.js";

/** One line of a topology. */
export type TopoLine =
  | { readonly kind: "name"; readonly text: string }
  | { readonly kind: "props"; readonly text: string }
  | { readonly kind: "group"; readonly prefix: string; readonly group: GroupView; readonly text: string }
  | {
      readonly kind: "path";
      readonly prefix: string;
      readonly group: number;
      readonly path: PathView;
      /** The padded `%i %d %D %t %T %o` columns, joined by single spaces. */
      readonly text: string;
      /** The same columns, each padded. */
      readonly cells: readonly string[];
    };

/** The six path columns of a topology line, unpadded. */
export function topologyPathFields(p: PathView): readonly string[] {
  return [p.hctl, p.dev, p.devT, p.dmState, p.checkerState, p.deviceState];
}

/** `%n (%w) %d %s`, without ` (%w)` when the name is the WWID. */
export function topologyNameLine(m: MapView): string {
  const vendProd = `${m.vendor},${m.product}`;
  return m.name === m.wwid
    ? `${m.name} ${m.dmDev} ${vendProd}`
    : `${m.name} (${m.wwid}) ${m.dmDev} ${vendProd}`;
}

/** `size=%S features='%f' hwhandler='%h' wp=%r`. */
export function topologyPropsLine(m: MapView): string {
  return `size=${m.size} features='${m.features}' hwhandler='${m.hwhandler}' wp=${m.writeProt}`;
}

/** `policy='%s' prio=%p status=%t`. */
export function topologyGroupLine(g: GroupView): string {
  return `policy='${g.policy}' prio=${g.priority} status=${g.status}`;
}

/** The lines of a map's topology. Paths missing from `paths` are left out. */
export function topologyLines(m: MapView, paths: ReadonlyMap<string, PathView>): TopoLine[] {
  const lines: TopoLine[] = [
    { kind: "name", text: topologyNameLine(m) },
    { kind: "props", text: topologyPropsLine(m) },
  ];
  const widths = [0, 0, 0, 0, 0, 0];
  for (const g of m.groups)
    for (const k of g.paths) {
      const p = paths.get(k);
      if (!p) continue;
      topologyPathFields(p).forEach((f, i) => {
        widths[i] = Math.max(widths[i]!, f.length);
      });
    }
  m.groups.forEach((g, j) => {
    const lastGroup = j + 1 === m.groups.length;
    lines.push({
      kind: "group",
      prefix: `${lastGroup ? "`" : "|"}-+- `,
      group: g,
      text: topologyGroupLine(g),
    });
    const members = g.paths.map((k) => paths.get(k)).filter((p): p is PathView => p !== undefined);
    members.forEach((p, i) => {
      const lastPath = i + 1 === members.length;
      const cells = topologyPathFields(p).map((f, c) => f.padEnd(widths[c]!));
      const text = cells.join(" ");
      lines.push({
        kind: "path",
        prefix: `${lastGroup ? " " : "|"} ${lastPath ? "`" : "|"}- `,
        group: g.index,
        path: p,
        text,
        cells,
      });
    });
  });
  return lines;
}

/** The whole topology as `multipath -ll` prints it (one map). */
export function topologyText(m: MapView, snapshot: Pick<DashboardSnapshot, "pathIndex">): string {
  return topologyLines(m, snapshot.pathIndex)
    .map((l) => (l.kind === "group" || l.kind === "path" ? l.prefix + l.text : l.text))
    .map((l) => `${l}\n`)
    .join("");
}
