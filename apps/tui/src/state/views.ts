/** The dashboard's views, k9s-style: one at a time, reachable with `:name` and Tab. */
export type ViewName = "maps" | "topology" | "paths" | "events";

/** Views in Tab order. */
export const VIEWS: readonly ViewName[] = ["maps", "topology", "paths", "events"];

/** What `:` accepts for each view (the full name, and short forms). */
export const VIEW_ALIASES: ReadonlyMap<string, ViewName> = new Map<string, ViewName>([
  ["maps", "maps"],
  ["map", "maps"],
  ["m", "maps"],
  ["topology", "topology"],
  ["topo", "topology"],
  ["top", "topology"],
  ["t", "topology"],
  ["ll", "topology"],
  ["paths", "paths"],
  ["path", "paths"],
  ["p", "paths"],
  ["events", "events"],
  ["event", "events"],
  ["ev", "events"],
  ["e", "events"],
  ["log", "events"],
]);

/** Titles as the tab bar shows them. */
export const VIEW_TITLES: Readonly<Record<ViewName, string>> = {
  maps: "maps",
  topology: "topology",
  paths: "paths",
  events: "events",
};
