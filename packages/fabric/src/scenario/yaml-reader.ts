import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { parseSize, parseTime } from "../workload/units.js";

/**
 * A small typed reader over a `yaml` 2.x document that remembers where every value came from.
 * Decoders take a node and return a value, or `undefined` after recording a diagnostic with
 * the node's line and column; a reader never throws on user input.
 */

/** One problem found in a scenario file, at a 1-based line and column. */
export interface ScenarioDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: "error" | "warning";
  readonly message: string;
}

/** `file:line:col: message` — the form editors and compilers use. */
export function formatDiagnostic(d: ScenarioDiagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

/** Where a value was written (for diagnostics found after decoding, e.g. unresolved names). */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** A YAML node, or `null` for a key with no value. */
export type YNode = Node | null;

/** A decoder: a value, or undefined once the problem is recorded. */
export type Decoder<T> = (n: YNode, cx: ReadContext) => T | undefined;

/** The state of one read: the file, positions, and the diagnostics gathered so far. */
export class ReadContext {
  readonly file: string;
  readonly diagnostics: ScenarioDiagnostic[] = [];
  readonly #lc: LineCounter;
  readonly #doc: Document.Parsed;
  /** Position used for problems with no node (a key missing from an empty document). */
  #fallback: Pos = { line: 1, col: 1 };

  constructor(file: string, lc: LineCounter, doc: Document.Parsed) {
    this.file = file;
    this.#lc = lc;
    this.#doc = doc;
  }

  /** Position of a node's first character. */
  pos(n: YNode | undefined): Pos {
    const off = n?.range?.[0];
    if (off === undefined) return this.#fallback;
    const p = this.#lc.linePos(off);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  }

  setFallback(p: Pos): void {
    this.#fallback = p;
  }

  error(n: YNode | undefined | Pos, message: string): undefined {
    const p = n && "line" in n && "col" in n ? n : this.pos(n as YNode | undefined);
    this.diagnostics.push({ file: this.file, line: p.line, col: p.col, severity: "error", message });
    return undefined;
  }

  warn(n: YNode | undefined | Pos, message: string): void {
    const p = n && "line" in n && "col" in n ? n : this.pos(n as YNode | undefined);
    this.diagnostics.push({ file: this.file, line: p.line, col: p.col, severity: "warning", message });
  }

  /** Follows an alias (`*anchor`) to the node it names. */
  deref(n: YNode): YNode {
    let cur = n;
    for (let i = 0; i < 32 && cur && isAlias(cur); i++)
      cur = (cur.resolve(this.#doc) as Node | undefined) ?? null;
    return cur;
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }

  /** Reads a mapping; null (with a diagnostic) when `n` is something else. */
  map(n: YNode, what: string): MapReader | null {
    const node = this.deref(n);
    if (!node || !isMap(node)) {
      this.error(n, `${what} must be a mapping (key: value lines)`);
      return null;
    }
    return new MapReader(this, node, what);
  }

  /** Reads a sequence; null (with a diagnostic) when `n` is something else. */
  seq(n: YNode, what: string): YNode[] | null {
    const node = this.deref(n);
    if (!node || !isSeq(node)) {
      this.error(n, `${what} must be a list (lines starting with "- ")`);
      return null;
    }
    return node.items.map((x) => (x ?? null) as YNode);
  }
}

/** Parses YAML text into a document and a context, with the parser's own errors as diagnostics. */
export function readYaml(text: string, file: string): { cx: ReadContext; root: YNode } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, merge: true });
  const cx = new ReadContext(file, lc, doc);
  const at = (e: { pos: [number, number] }) => {
    const p = lc.linePos(e.pos[0]);
    return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
  };
  for (const e of doc.errors) {
    const p = at(e);
    cx.diagnostics.push({
      file,
      line: p.line,
      col: p.col,
      severity: "error",
      message: yamlMessage(e.message),
    });
  }
  for (const w of doc.warnings) {
    const p = at(w);
    cx.diagnostics.push({
      file,
      line: p.line,
      col: p.col,
      severity: "warning",
      message: yamlMessage(w.message),
    });
  }
  return { cx, root: (doc.contents ?? null) as YNode };
}

/** The yaml library's message without its trailing position and source excerpt. */
function yamlMessage(m: string): string {
  return m
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** ` (did you mean "x"?)` when one candidate is close to `word`, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best = "";
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : "";
}

/**
 * A mapping being read: `req`/`opt` take keys, {@link MapReader.done} reports the keys nobody
 * asked for (misspellings) with a hint.
 */
export class MapReader {
  readonly cx: ReadContext;
  readonly node: YAMLMap;
  readonly what: string;
  readonly #pairs = new Map<string, Pair<unknown, unknown>>();
  readonly #used = new Set<string>();

  constructor(cx: ReadContext, node: YAMLMap, what: string) {
    this.cx = cx;
    this.node = node;
    this.what = what;
    this.#collect(node, 0);
  }

  #collect(node: YAMLMap, depth: number): void {
    const merges: YAMLMap[] = [];
    for (const p of node.items) {
      const k = p.key as YNode;
      if (isScalar(k) && k.value === "<<") {
        const v = this.cx.deref(p.value as YNode);
        if (v && isMap(v) && depth < 8) merges.push(v);
        else if (v && isSeq(v) && depth < 8)
          for (const it of v.items) {
            const m = this.cx.deref(it as YNode);
            if (m && isMap(m)) merges.push(m);
          }
        continue;
      }
      if (!isScalar(k) || (typeof k.value !== "string" && typeof k.value !== "number")) {
        this.cx.error(k, `keys of ${this.what} must be plain words`);
        continue;
      }
      const key = String(k.value);
      if (this.#pairs.has(key)) this.cx.error(k, `${this.what}: duplicate key "${key}"`);
      this.#pairs.set(key, p);
    }
    // Explicit keys win over merged ones (YAML merge semantics).
    for (const m of merges) {
      const sub = new MapReader(this.cx, m, this.what);
      for (const [k, p] of sub.#pairs) if (!this.#pairs.has(k)) this.#pairs.set(k, p);
    }
  }

  keys(): string[] {
    return [...this.#pairs.keys()];
  }

  has(key: string): boolean {
    return this.#pairs.has(key);
  }

  /** The value node of `key` (marks it used), or undefined when absent. */
  value(key: string): YNode | undefined {
    const p = this.#pairs.get(key);
    if (!p) return undefined;
    this.#used.add(key);
    return (p.value ?? null) as YNode;
  }

  /** The key node of `key` (for positions). */
  keyNode(key: string): YNode | undefined {
    return (this.#pairs.get(key)?.key ?? undefined) as YNode | undefined;
  }

  /** Position of `key`, or of the mapping when absent. */
  posOf(key: string): Pos {
    return this.cx.pos(this.keyNode(key) ?? this.node);
  }

  req<T>(key: string, dec: Decoder<T>): T | undefined {
    const v = this.value(key);
    if (v === undefined) return this.cx.error(this.node, `${this.what}: missing required key "${key}"`);
    return dec(v, this.cx);
  }

  opt<T>(key: string, dec: Decoder<T>): T | undefined;
  opt<T>(key: string, dec: Decoder<T>, dflt: T): T;
  opt<T>(key: string, dec: Decoder<T>, dflt?: T): T | undefined {
    const v = this.value(key);
    if (v === undefined) return dflt;
    const r = dec(v, this.cx);
    return r === undefined ? dflt : r;
  }

  /** Reports every key not read, naming the allowed ones. */
  done(allowed?: readonly string[]): void {
    for (const [k, p] of this.#pairs) {
      if (this.#used.has(k)) continue;
      const hint = allowed ? didYouMean(k, allowed) : "";
      const list = allowed && !hint ? ` (expected one of: ${allowed.join(", ")})` : "";
      this.cx.error(p.key as YNode, `${this.what}: unknown key "${k}"${hint}${list}`);
    }
  }
}

// ---- scalar decoders --------------------------------------------------------------------------

function scalarValue(n: YNode, cx: ReadContext): unknown {
  const node = cx.deref(n);
  if (node === null) return null;
  if (!isScalar(node)) return undefined;
  return node.value;
}

/** A string (numbers and booleans written plainly are accepted as their text). */
export function str(what: string): Decoder<string> {
  return (n, cx) => {
    const v = scalarValue(n, cx);
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return cx.error(n, `${what} must be a string`);
  };
}

/** A non-empty word without white space (names, references). */
export function name(what: string): Decoder<string> {
  return (n, cx) => {
    const s = str(what)(n, cx);
    if (s === undefined) return undefined;
    if (s === "" || /\s/.test(s))
      return cx.error(n, `${what} must be a non-empty word without spaces: "${s}"`);
    return s;
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(what: string, values: readonly T[]): Decoder<T> {
  return (n, cx) => {
    const s = str(what)(n, cx);
    if (s === undefined) return undefined;
    if ((values as readonly string[]).includes(s)) return s as T;
    return cx.error(n, `${what}: "${s}" is not one of ${values.join(", ")}${didYouMean(s, values)}`);
  };
}

export const bool =
  (what: string): Decoder<boolean> =>
  (n, cx) => {
    const v = scalarValue(n, cx);
    if (typeof v === "boolean") return v;
    if (v === "yes" || v === "on") return true;
    if (v === "no" || v === "off") return false;
    return cx.error(n, `${what} must be true or false`);
  };

/** A finite number in [min, max]. */
export function num(
  what: string,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): Decoder<number> {
  return (n, cx) => {
    const v = scalarValue(n, cx);
    const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    if (!Number.isFinite(x)) return cx.error(n, `${what} must be a number`);
    if (x < min || x > max)
      return cx.error(
        n,
        `${what} must be ${max === Number.POSITIVE_INFINITY ? `>= ${min}` : min === Number.NEGATIVE_INFINITY ? `<= ${max}` : `in [${min}, ${max}]`} (got ${x})`,
      );
    return x;
  };
}

/** An integer in [min, max]. */
export function int(what: string, min = 0, max = Number.MAX_SAFE_INTEGER): Decoder<number> {
  return (n, cx) => {
    const x = num(what, min, max)(n, cx);
    if (x === undefined) return undefined;
    if (!Number.isInteger(x)) return cx.error(n, `${what} must be an integer (got ${x})`);
    return x;
  };
}

/**
 * A duration in integer ns: `500ms`, `2s`, `100us`, `1m`, `1h`, `250ns`; a bare number is in
 * `defaultUnitNs` (seconds unless said otherwise).
 */
export function duration(what: string, defaultUnitNs = 1e9): Decoder<number> {
  return (n, cx) => {
    const v = scalarValue(n, cx);
    if (typeof v === "number") {
      if (!(v >= 0) || !Number.isFinite(v)) return cx.error(n, `${what} must be a duration >= 0`);
      return Math.round(v * defaultUnitNs);
    }
    if (typeof v !== "string") return cx.error(n, `${what} must be a duration like 500ms, 2s or 100us`);
    const t = v.trim();
    const m = /^(\d+(?:\.\d+)?)\s*ns$/.exec(t);
    if (m) return Math.round(Number(m[1]));
    const r = parseTime(t, defaultUnitNs);
    if (!r.ok) return cx.error(n, `${what}: ${r.message} (a duration like 500ms, 2s or 100us)`);
    return r.value;
  };
}

/** A byte size: `4k`, `1g`, `500m`, `4096` (fio's syntax, 1024-based). */
export function size(what: string): Decoder<number> {
  return (n, cx) => {
    const v = scalarValue(n, cx);
    if (typeof v === "number") {
      if (!(v >= 0) || !Number.isInteger(v)) return cx.error(n, `${what} must be a whole number of bytes`);
      return v;
    }
    if (typeof v !== "string") return cx.error(n, `${what} must be a size like 4k, 512m or 1g`);
    const r = parseSize(v.trim());
    if (!r.ok) return cx.error(n, `${what}: ${r.message} (a size like 4k, 512m or 1g)`);
    return r.value;
  };
}

/**
 * A rate in units per second, SI (`1600MB` = 1.6e9 bytes/s, `1.2GB`; `MiB` is binary), or a bare
 * number.
 */
export function rate(what: string): Decoder<number> {
  return (n, cx) => {
    const v = scalarValue(n, cx);
    if (typeof v === "number") {
      if (!(v > 0) || !Number.isFinite(v)) return cx.error(n, `${what} must be > 0`);
      return v;
    }
    if (typeof v !== "string") return cx.error(n, `${what} must be a rate like 1600MB (per second)`);
    const r = parseSize(v.trim().replace(/\/s$/, ""), 1000);
    if (!r.ok || !(r.value > 0))
      return cx.error(n, `${what}: not a rate: "${v}" (like 1600MB or 3.2GB, per second)`);
    return r.value;
  };
}

/** A list of items, each decoded by `dec`; a single item is accepted as a one-item list. */
export function listOf<T>(what: string, dec: Decoder<T>, singleOk = true): Decoder<T[]> {
  return (n, cx) => {
    const node = cx.deref(n);
    if (node && isSeq(node)) {
      const out: T[] = [];
      let bad = false;
      for (const it of node.items) {
        const v = dec((it ?? null) as YNode, cx);
        if (v === undefined) bad = true;
        else out.push(v);
      }
      return bad ? undefined : out;
    }
    if (!singleOk) return cx.error(n, `${what} must be a list`);
    const v = dec(n, cx);
    return v === undefined ? undefined : [v];
  };
}

/** True when `n` is a mapping. */
export function isMapNode(n: YNode, cx: ReadContext): boolean {
  const d = cx.deref(n);
  return d !== null && isMap(d);
}

/** True when `n` is a sequence. */
export function isSeqNode(n: YNode, cx: ReadContext): boolean {
  const d = cx.deref(n);
  return d !== null && isSeq(d);
}

/** The plain JS value of a scalar node, or undefined for collections. */
export function scalar(n: YNode, cx: ReadContext): string | number | boolean | null | undefined {
  const v = scalarValue(n, cx);
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return undefined;
}
