/** The help overlay's lines, drawn from the keymap (so help and footer never disagree). */
import { FAULT_MENU } from "./fault-menu.js";
import { type Capabilities, KEYMAP, type KeyGroup } from "./keymap.js";

/** One line of help. */
export type HelpLine =
  | { readonly kind: "title"; readonly text: string }
  | { readonly kind: "key"; readonly keys: string; readonly text: string; readonly available: boolean }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "blank" };

const GROUP_TITLES: Readonly<Record<KeyGroup, string>> = {
  general: "General",
  navigate: "Moving around",
  operator: "Operator (multipathd commands, shown with the daemon's reply)",
  simulator: "Simulator (virtual time and fault injection)",
};

const KEY_NAMES: Readonly<Record<string, string>> = {
  up: "↑",
  down: "↓",
  pageup: "PgUp",
  pagedown: "PgDn",
  home: "Home",
  end: "End",
  enter: "Enter",
  escape: "Esc",
  tab: "Tab",
  "shift-tab": "S-Tab",
  space: "Space",
  "ctrl-c": "^C",
};

/** How a key name reads in the help. */
export function displayKey(name: string): string {
  return KEY_NAMES[name] ?? name;
}

/** Every help line; keys the source does not offer are marked unavailable. */
export function helpLines(caps: Capabilities): HelpLine[] {
  const out: HelpLine[] = [];
  for (const group of ["general", "navigate", "operator", "simulator"] as const) {
    if (out.length > 0) out.push({ kind: "blank" });
    out.push({ kind: "title", text: GROUP_TITLES[group] });
    for (const b of KEYMAP) {
      if (b.group !== group) continue;
      out.push({
        kind: "key",
        keys: b.keys.map(displayKey).join(" "),
        text: b.help,
        available: !b.needs || caps[b.needs],
      });
    }
  }
  out.push({ kind: "blank" });
  out.push({ kind: "title", text: "Fault menu (x), on the selected path or map" });
  for (const f of FAULT_MENU) out.push({ kind: "key", keys: f.key, text: f.label, available: caps.inject });
  out.push({ kind: "blank" });
  out.push({ kind: "title", text: "Markers" });
  out.push({ kind: "text", text: "Q  map is queueing I/O (no usable path, queue_if_no_path)" });
  out.push({ kind: "text", text: "!  map is degraded (fewer usable paths than paths)" });
  out.push({ kind: "text", text: "S  map is suspended" });
  out.push({ kind: "text", text: "×  path failed in the kernel map, or its checker reports it down" });
  out.push({ kind: "blank" });
  out.push({
    kind: "text",
    text: "Commands after ':'  maps  topology [MAP]  paths  events  rate N  speed N  step N  q",
  });
  return out;
}

/** A Markdown table row for a key and what it does (the README lists every key this way). */
export function keyTableRow(keys: readonly string[], help: string): string {
  return `| ${keys.map((k) => `\`${displayKey(k)}\``).join(" ")} | ${help} |`;
}
