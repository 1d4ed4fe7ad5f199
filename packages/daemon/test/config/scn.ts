/**
 * Just enough of the conformance scenario format (shared/conformance/README.md) to pair each
 * `$ command` of a scenario with the configuration in force and with its recorded output.
 */
import { readFileSync } from "node:fs";

export interface ScnCommand {
  readonly command: string;
  /** The last `@config` block before the command (null: no /etc/multipath.conf). */
  readonly config: string | null;
}

export interface Scenario {
  readonly commands: readonly ScnCommand[];
  /** `@mask REGEX REPLACEMENT` pairs, applied to each line. */
  readonly masks: readonly (readonly [RegExp, string])[];
}

const unquote = (w: string): string => (w.startsWith("'") && w.endsWith("'") ? w.slice(1, -1) : w);

export function readScn(path: string): Scenario {
  const lines = readFileSync(path, "utf8").split("\n");
  const commands: ScnCommand[] = [];
  const masks: [RegExp, string][] = [];
  let config: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === "@config") {
      const body: string[] = [];
      while (lines[++i] !== "@end") body.push(lines[i]!);
      config = body.length > 0 ? `${body.join("\n")}\n` : "";
      continue;
    }
    if (line.startsWith("$ ")) commands.push({ command: line.slice(2), config });
    const m = /^@mask\s+('[^']*'|\S+)\s+('[^']*'|\S+)/.exec(line);
    if (m !== null) masks.push([new RegExp(unquote(m[1]!), "g"), unquote(m[2]!)]);
  }
  return { commands, masks };
}

/** The recorded outputs of a transcript, in order: each command's lines through `[rc=N]`. */
export function readOut(path: string): { command: string; output: string }[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: { command: string; output: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("$ ")) continue;
    const command = lines[i]!.slice(2);
    const body: string[] = [];
    while (!/^\[rc=\d+\]$/.test(lines[++i]!)) body.push(lines[i]!);
    body.push(lines[i]!);
    out.push({ command, output: `${body.join("\n")}\n` });
  }
  return out;
}

export function applyMasks(text: string, masks: Scenario["masks"]): string {
  return text
    .split("\n")
    .map((l) => masks.reduce((acc, [re, rep]) => acc.replace(re, () => rep), l))
    .join("\n");
}
