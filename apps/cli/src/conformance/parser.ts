import type { CommandLine, Scenario, ScnNode, Secs } from "./ast.js";
import { splitWords } from "./words.js";

/** `[[:space:]]` in the C locale. */
const SPACE = " \t\n\v\f\r";

function isSpace(c: string | undefined): boolean {
  return c !== undefined && SPACE.includes(c);
}

function trimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return s.slice(i);
}

function trimRight(s: string): string {
  let j = s.length;
  while (j > 0 && isSpace(s[j - 1])) j--;
  return s.slice(0, j);
}

/** Index of the first `[[:space:]]` character, or -1. */
function firstSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (isSpace(s[i])) return i;
  return -1;
}

/** Splits a file into lines as `while read -r line || [ -n "$line" ]` sees them. */
export function scenarioLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const NUM_RE = /^[0-9]+(\.[0-9]+)?$/;

/** Parses `SECS` (`^[0-9]+(\.[0-9]+)?$`) into integer nanoseconds; null when it is not one. */
export function parseSecs(text: string): Secs | null {
  if (!NUM_RE.test(text)) return null;
  const [int, frac = ""] = text.split(".");
  const ns = Number(int) * 1e9 + Number((frac + "000000000").slice(0, 9));
  return { text, ns };
}

const SIZE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Parses an `@loop` SIZE (`^[0-9]+[KMG]?$`) into bytes; null when it is not one. */
export function parseSize(text: string): number | null {
  const m = /^([0-9]+)([KMG]?)$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * SIZE_UNITS[m[2]!]!;
}

/**
 * The static check of a command's first word (which commands a scenario may run). Returns the
 * error message, or null when the command is allowed.
 */
export function checkCommand(words: readonly string[]): string | null {
  const cmd = words[0]!;
  switch (cmd) {
    case "dmsetup":
    case "multipath":
    case "multipathd":
    case "dd":
    case "blockdev":
    case "sg_turs":
      return null;
    case "cat": {
      if (words.length < 2) return "cat needs a path";
      for (const a of words.slice(1)) {
        if (a.startsWith("/sys/") || a.startsWith("/etc/multipath/") || a === "/etc/multipath.conf") {
          if (a.includes("/../")) return `cat: '..' in ${a}`;
        } else {
          return `cat: only paths under /sys/ or /etc/multipath/ (${a})`;
        }
      }
      return null;
    }
    case "udevadm":
      return words[1] === "info" ? null : "udevadm: only 'udevadm info'";
    default:
      return `command not allowed: ${cmd}`;
  }
}

/** Splits and checks a command text: the command, or an error message. */
function parseCommand(raw: string, emptyMessage: string): CommandLine | string {
  const r = splitWords(raw);
  if (!r.ok) return r.message;
  if (r.words.length === 0) return emptyMessage;
  const bad = checkCommand(r.words);
  if (bad !== null) return bad;
  return { raw, words: r.words };
}

/**
 * Parses a scenario into nodes, exactly as the lab's interpreter reads it: line by line, stopping
 * at the first scenario error (which becomes the last node).
 */
export function parseScenario(text: string): Scenario {
  const lines = scenarioLines(text);
  const nodes: ScnNode[] = [];
  let config: { startLine: number; lines: string[] } | null = null;
  const error = (line: number, message: string): Scenario => {
    nodes.push({ kind: "error", line, message });
    return { nodes, lineCount: lines.length };
  };

  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    let line = lines[idx]!;
    if (line.endsWith("\r")) line = line.slice(0, -1);

    if (config) {
      if (/^[ \t\n\v\f\r]*@end[ \t\n\v\f\r]*$/.test(line)) {
        nodes.push({
          kind: "config",
          line: lineNo,
          startLine: config.startLine,
          text: config.lines.map((l) => `${l}\n`).join(""),
        });
        config = null;
      } else {
        config.lines.push(line);
      }
      continue;
    }

    line = trimRight(trimLeft(line));
    if (line === "" || line.startsWith("#")) continue;

    if (line === "==" || line.startsWith("== ")) {
      let t = line.slice(2);
      if (t.startsWith(" ")) t = t.slice(1);
      nodes.push({ kind: "section", line: lineNo, title: t });
      continue;
    }
    if (line.startsWith("$ ")) {
      const raw = trimLeft(line.slice(2));
      const c = parseCommand(raw, "empty command");
      if (typeof c === "string") return error(lineNo, c);
      nodes.push({ kind: "run", line: lineNo, command: c });
      continue;
    }
    if (!line.startsWith("@")) return error(lineNo, `not a directive: ${line}`);

    const sp = firstSpace(line);
    const dir = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? "" : trimLeft(line.slice(sp));

    switch (dir) {
      case "@echo":
        nodes.push({ kind: "echo", line: lineNo, text: rest });
        break;
      case "@loop": {
        const r = splitWords(rest);
        if (!r.ok) return error(lineNo, r.message);
        if (r.words.length !== 2) return error(lineNo, "usage: @loop NAME SIZE");
        const [name, size] = r.words as [string, string];
        if (!/^loop[0-7]$/.test(name)) return error(lineNo, "@loop: NAME must be loop0..loop7");
        const bytes = parseSize(size);
        if (bytes === null) return error(lineNo, `@loop: bad SIZE ${size}`);
        nodes.push({ kind: "loop", line: lineNo, name, index: Number(name.slice(4)), sizeBytes: bytes });
        break;
      }
      case "@modprobe": {
        const r = splitWords(rest);
        if (!r.ok) return error(lineNo, r.message);
        if (r.words.length < 1) return error(lineNo, "usage: @modprobe MODULE [PARAM=VALUE...]");
        nodes.push({ kind: "modprobe", line: lineNo, module: r.words[0]!, params: r.words.slice(1) });
        break;
      }
      case "@udev":
        nodes.push({ kind: "udev", line: lineNo });
        break;
      case "@multipathd": {
        const r = splitWords(rest);
        if (!r.ok) return error(lineNo, r.message);
        nodes.push({ kind: "multipathd", line: lineNo, args: r.words });
        break;
      }
      case "@idle": {
        const secs = parseSecs(rest === "" ? "30" : rest);
        if (!secs) return error(lineNo, "usage: @idle [SECS]");
        nodes.push({ kind: "idle", line: lineNo, secs });
        break;
      }
      case "@config":
        if (rest !== "") return error(lineNo, "@config takes no arguments");
        config = { startLine: lineNo, lines: [] };
        break;
      case "@end":
        return error(lineNo, "@end without @config");
      case "@write": {
        const r = splitWords(rest);
        if (!r.ok) return error(lineNo, r.message);
        if (r.words.length !== 2) return error(lineNo, "usage: @write PATH VALUE");
        const [path, value] = r.words as [string, string];
        if (!path.startsWith("/sys/") || path.includes("/../")) {
          return error(lineNo, "@write: only paths under /sys/");
        }
        nodes.push({ kind: "write", line: lineNo, path, value });
        break;
      }
      case "@dmesg":
        if (rest !== "") return error(lineNo, "@dmesg takes no arguments");
        nodes.push({ kind: "dmesg", line: lineNo });
        break;
      case "@dmesg-clear":
        nodes.push({ kind: "dmesg-clear", line: lineNo });
        break;
      case "@bg": {
        const nsp = firstSpace(rest);
        const name = nsp < 0 ? rest : rest.slice(0, nsp);
        if (!/^[A-Za-z0-9_-]+$/.test(name)) return error(lineNo, "usage: @bg NAME COMMAND ARGS");
        const raw = trimLeft(rest.slice(name.length));
        const c = parseCommand(raw, "usage: @bg NAME COMMAND ARGS");
        if (typeof c === "string") return error(lineNo, c);
        nodes.push({ kind: "bg", line: lineNo, name, command: c });
        break;
      }
      case "@wait":
        nodes.push({ kind: "wait", line: lineNo, name: rest });
        break;
      case "@sleep": {
        const secs = parseSecs(rest);
        if (!secs) return error(lineNo, "usage: @sleep SECS");
        nodes.push({ kind: "sleep", line: lineNo, secs });
        break;
      }
      case "@until": {
        const ssp = firstSpace(rest);
        const secsText = ssp < 0 ? rest : rest.slice(0, ssp);
        const secs = parseSecs(secsText);
        if (!secs) return error(lineNo, "usage: @until SECS COMMAND ARGS ~ REGEX");
        const body = trimLeft(rest.slice(secsText.length));
        const tilde = body.indexOf(" ~ ");
        if (tilde < 0) return error(lineNo, "@until: missing ' ~ REGEX'");
        const raw = trimRight(body.slice(0, tilde));
        const regex = body.slice(tilde + 3);
        const c = parseCommand(raw, "@until: empty command");
        if (typeof c === "string") return error(lineNo, c);
        nodes.push({ kind: "until", line: lineNo, secs, command: c, regex });
        break;
      }
      case "@mask": {
        const r = splitWords(rest);
        if (!r.ok) return error(lineNo, r.message);
        if (r.words.length !== 2) return error(lineNo, "usage: @mask REGEX REPLACEMENT");
        nodes.push({ kind: "mask", line: lineNo, regex: r.words[0]!, replacement: r.words[1]! });
        break;
      }
      default:
        return error(lineNo, `unknown directive ${dir}`);
    }
  }
  if (config) return error(lines.length, "@config without @end");
  return { nodes, lineCount: lines.length };
}
