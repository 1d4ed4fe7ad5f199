/**
 * Test support: reads the golden transcripts (`shared/conformance/multipathd/*.out`,
 * `shared/lab/kernel/golden/multipathd.out`) and cuts out one command's output.
 */
import { existsSync, readFileSync } from "node:fs";
import { sharedDir } from "@mp/tooling/shared";

const SHARED = `${sharedDir()}/`;

/** Absolute path of a file under the shared tree (`conformance/multipathd/show-formats.out`). */
export function sharedFile(rel: string): string {
  const p = SHARED + rel;
  if (!existsSync(p)) throw new Error(`golden transcript missing: ${p}`);
  return p;
}

/** The output lines of the `occurrence`-th (1-based) `$ <command>` in `rel`, joined with `\n` and ending in `\n`. */
export function transcriptOutput(rel: string, command: string, occurrence = 1): string {
  const lines = readFileSync(sharedFile(rel), "utf8").split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== `$ ${command}`) continue;
    if (++seen !== occurrence) continue;
    const out: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (/^\[rc=\d+\]$/.test(l)) return out.length === 0 ? "" : `${out.join("\n")}\n`;
      out.push(l);
    }
    throw new Error(`no [rc=] after ${command} in ${rel}`);
  }
  throw new Error(`command not found (#${occurrence}): ${command} in ${rel}`);
}

/** The `[rc=N]` of the `occurrence`-th `$ <command>` in `rel`. */
export function transcriptRc(rel: string, command: string, occurrence = 1): number {
  const lines = readFileSync(sharedFile(rel), "utf8").split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== `$ ${command}`) continue;
    if (++seen !== occurrence) continue;
    for (let j = i + 1; j < lines.length; j++) {
      const m = /^\[rc=(\d+)\]$/.exec(lines[j]!);
      if (m) return Number(m[1]);
    }
  }
  throw new Error(`command not found (#${occurrence}): ${command} in ${rel}`);
}
