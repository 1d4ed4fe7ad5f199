/**
 * Every key of the dashboard in one table. The input hook maps keys to named intents through it,
 * and the footer and the help overlay are drawn from it, so what is shown is what works.
 */
import type { Key } from "ink";
import type { ViewName } from "./views.js";

/** What a key asks for. */
export type Intent =
  | "quit"
  | "help"
  | "command"
  | "filter"
  | "next-view"
  | "prev-view"
  | "up"
  | "down"
  | "page-up"
  | "page-down"
  | "home"
  | "end"
  | "open"
  | "back"
  | "sort-next"
  | "sort-reverse"
  | "fail-path"
  | "reinstate-path"
  | "switch-group"
  | "suspend-map"
  | "resume-map"
  | "disable-queueing"
  | "restore-queueing"
  | "fault-menu"
  | "pause"
  | "step"
  | "faster"
  | "slower"
  | "refresh-faster"
  | "refresh-slower";

/** Groups of keys, in the order the help shows them. */
export type KeyGroup = "general" | "navigate" | "operator" | "simulator";

/** What a binding needs from the source to be offered. */
export type KeyNeed = "write" | "inject" | "time";

/** One row of the keymap. */
export interface KeyBinding {
  readonly intent: Intent;
  /** Key names (see {@link keyName}); the first is the one shown. */
  readonly keys: readonly string[];
  /** How the footer shows the key (defaults to the first key). */
  readonly keyLabel?: string;
  /** Footer label: one or two words. */
  readonly label: string;
  /** Help text: one line. */
  readonly help: string;
  readonly group: KeyGroup;
  /** Views where the binding applies (all when absent). */
  readonly views?: readonly ViewName[];
  readonly needs?: KeyNeed;
  /**
   * Left out of the footer because the binding before it shows both (`s/S susp/resume`,
   * `↑↓ move`); still in the help.
   */
  readonly footer?: false;
}

const LIST_VIEWS: readonly ViewName[] = ["maps", "topology", "paths", "events"];
const PATH_VIEWS: readonly ViewName[] = ["topology", "paths"];
const MAP_VIEWS: readonly ViewName[] = ["maps", "topology", "paths"];

/** The keymap, in help order. */
export const KEYMAP: readonly KeyBinding[] = [
  { intent: "help", keys: ["?"], label: "help", help: "show or hide this help", group: "general" },
  {
    intent: "quit",
    keys: ["q", "ctrl-c"],
    label: "quit",
    help: "quit (restores the terminal)",
    group: "general",
  },
  {
    intent: "command",
    keys: [":"],
    label: "view",
    help: "jump to a view (:maps :topology :paths :events), :rate N, :speed N, :q",
    group: "general",
  },
  {
    intent: "next-view",
    keys: ["tab"],
    keyLabel: "⇥/⇤",
    label: "views",
    help: "next view",
    group: "general",
  },
  {
    intent: "prev-view",
    keys: ["shift-tab"],
    label: "prev view",
    help: "previous view",
    group: "general",
    footer: false,
  },
  {
    intent: "filter",
    keys: ["/"],
    label: "filter",
    help: "filter the list (words must all match; empty clears)",
    group: "general",
    views: ["maps", "paths", "events"],
  },
  {
    intent: "sort-next",
    keys: ["o"],
    keyLabel: "o/O",
    label: "sort/rev",
    help: "sort by the next column",
    group: "general",
    views: ["maps", "paths"],
  },
  {
    intent: "sort-reverse",
    keys: ["O"],
    label: "reverse",
    help: "reverse the sort order",
    group: "general",
    views: ["maps", "paths"],
    footer: false,
  },
  {
    intent: "refresh-slower",
    keys: ["["],
    keyLabel: "[/]",
    label: "refresh",
    help: "refresh less often (20, 15, 10, 5, 3, 2, 1 Hz)",
    group: "general",
  },
  {
    intent: "refresh-faster",
    keys: ["]"],
    label: "refresh+",
    help: "refresh more often (up to 20 Hz)",
    group: "general",
    footer: false,
  },
  {
    intent: "up",
    keys: ["up", "k"],
    keyLabel: "↑↓",
    label: "move",
    help: "move the selection up",
    group: "navigate",
    views: LIST_VIEWS,
  },
  {
    intent: "down",
    keys: ["down", "j"],
    label: "down",
    help: "move the selection down",
    group: "navigate",
    footer: false,
  },
  {
    intent: "page-up",
    keys: ["pageup"],
    keyLabel: "PgUp/Dn",
    label: "page",
    help: "one page up",
    group: "navigate",
    views: LIST_VIEWS,
  },
  {
    intent: "page-down",
    keys: ["pagedown"],
    label: "page down",
    help: "one page down",
    group: "navigate",
    footer: false,
  },
  {
    intent: "home",
    keys: ["home", "g"],
    keyLabel: "g/G",
    label: "first/last",
    help: "first row",
    group: "navigate",
    views: LIST_VIEWS,
  },
  {
    intent: "end",
    keys: ["end", "G"],
    label: "last",
    help: "last row",
    group: "navigate",
    footer: false,
  },
  {
    intent: "open",
    keys: ["enter"],
    keyLabel: "⏎",
    label: "topology",
    help: "open the selected map's topology (from maps and paths)",
    group: "navigate",
    views: ["maps", "paths"],
  },
  {
    intent: "back",
    keys: ["escape"],
    keyLabel: "esc",
    label: "back",
    help: "back / close / cancel",
    group: "navigate",
  },
  {
    intent: "fail-path",
    keys: ["f"],
    label: "fail",
    help: "fail the selected path (multipathd: fail path sdX)",
    group: "operator",
    views: PATH_VIEWS,
    needs: "write",
  },
  {
    intent: "reinstate-path",
    keys: ["r"],
    label: "reinstate",
    help: "reinstate the selected path (reinstate path sdX)",
    group: "operator",
    views: PATH_VIEWS,
    needs: "write",
  },
  {
    intent: "switch-group",
    keys: ["w"],
    label: "switch pg",
    help: "switch the map to the selected path's group, or the next group (switch map M group N)",
    group: "operator",
    views: MAP_VIEWS,
    needs: "write",
  },
  {
    intent: "suspend-map",
    keys: ["s"],
    keyLabel: "s/S",
    label: "susp/resume",
    help: "suspend the map (suspend map M)",
    group: "operator",
    views: MAP_VIEWS,
    needs: "write",
  },
  {
    intent: "resume-map",
    keys: ["S"],
    label: "resume",
    help: "resume the map (resume map M)",
    group: "operator",
    views: MAP_VIEWS,
    needs: "write",
    footer: false,
  },
  {
    intent: "disable-queueing",
    keys: ["d"],
    keyLabel: "d/D",
    label: "queue off/on",
    help: "disable queueing on the map (disablequeueing map M)",
    group: "operator",
    views: MAP_VIEWS,
    needs: "write",
  },
  {
    intent: "restore-queueing",
    keys: ["D"],
    label: "queue on",
    help: "restore queueing (restorequeueing map M)",
    group: "operator",
    views: MAP_VIEWS,
    needs: "write",
    footer: false,
  },
  {
    intent: "fault-menu",
    keys: ["x"],
    label: "fault",
    help: "inject a fault on the selected path or map (port, HBA, link, latency, ALUA, LUN)",
    group: "simulator",
    views: MAP_VIEWS,
    needs: "inject",
  },
  {
    intent: "pause",
    keys: ["space"],
    keyLabel: "␣",
    label: "pause",
    help: "pause / resume virtual time",
    group: "simulator",
    needs: "time",
  },
  {
    intent: "step",
    keys: ["."],
    label: "step 1s",
    help: "step virtual time by one second",
    group: "simulator",
    needs: "time",
  },
  {
    intent: "faster",
    keys: ["+", "="],
    keyLabel: "+/-",
    label: "speed",
    help: "faster virtual time: 1× → 10× → 100×",
    group: "simulator",
    needs: "time",
  },
  {
    intent: "slower",
    keys: ["-", "_"],
    label: "slower",
    help: "slower virtual time: 100× → 10× → 1×",
    group: "simulator",
    needs: "time",
    footer: false,
  },
];

/** What the current source offers. */
export interface Capabilities {
  readonly write: boolean;
  readonly inject: boolean;
  readonly time: boolean;
}

/** True when `b` applies in `view` with these capabilities. */
export function bindingApplies(b: KeyBinding, view: ViewName, caps: Capabilities): boolean {
  if (b.views && !b.views.includes(view)) return false;
  if (b.needs && !caps[b.needs]) return false;
  return true;
}

/** The intent of a key in `view`, or null when the key does nothing there. */
export function intentFor(name: string, view: ViewName, caps: Capabilities): Intent | null {
  for (const b of KEYMAP) if (b.keys.includes(name) && bindingApplies(b, view, caps)) return b.intent;
  return null;
}

/** The bindings the footer shows in `view`. */
export function footerBindings(view: ViewName, caps: Capabilities): KeyBinding[] {
  return KEYMAP.filter((b) => b.footer !== false && bindingApplies(b, view, caps));
}

/**
 * A canonical name for what Ink's `useInput` reports: `up`, `pageup`, `enter`, `escape`, `tab`,
 * `shift-tab`, `space`, `backspace`, `ctrl-c`, or the typed character itself.
 */
export function keyName(input: string, key: Partial<Key>): string {
  if (key.upArrow) return "up";
  if (key.downArrow) return "down";
  if (key.leftArrow) return "left";
  if (key.rightArrow) return "right";
  if (key.pageUp) return "pageup";
  if (key.pageDown) return "pagedown";
  if (key.home) return "home";
  if (key.end) return "end";
  if (key.return) return "enter";
  if (key.tab) return key.shift ? "shift-tab" : "tab";
  if (key.backspace || key.delete) return "backspace";
  if (key.escape) return "escape";
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (input === " ") return "space";
  return input;
}
