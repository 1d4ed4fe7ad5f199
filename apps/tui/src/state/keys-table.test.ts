import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FAULT_MENU } from "./fault-menu.js";
import { keyTableRow as keyRow } from "./help.js";
import { KEYMAP } from "./keymap.js";

describe("the README", () => {
  // Tables compared cell by cell (a formatter may pad the columns).
  const norm = (s: string) => s.replace(/[ \t]*\|[ \t]*/g, "|");
  const readme = norm(readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8"));

  it("lists every key of the keymap, as the help shows it", () => {
    for (const b of KEYMAP)
      expect(readme, `README row for ${b.intent}`).toContain(norm(keyRow(b.keys, b.help)));
  });

  it("lists every fault of the fault menu", () => {
    for (const f of FAULT_MENU) expect(readme).toContain(norm(keyRow([f.key], f.label)));
  });
});
