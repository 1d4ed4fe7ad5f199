/** A line-level edit script entry. */
type Edit = { readonly op: " " | "-" | "+"; readonly line: string };

/** Myers' O(ND) shortest edit script between two line arrays. */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  trace.push(v.slice());
  // Walk back through the trace.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!)) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: " ", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d === 0) break;
    if (x === prevX) {
      edits.push({ op: "+", line: b[y - 1]! });
      y--;
    } else {
      edits.push({ op: "-", line: a[x - 1]! });
      x--;
    }
  }
  while (x > 0 && y > 0) {
    edits.push({ op: " ", line: a[x - 1]! });
    x--;
    y--;
  }
  return edits.reverse();
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/**
 * A unified diff (`diff -u` style, 3 lines of context) of two texts, or "" when they are equal.
 * `maxLines` bounds the output (the first differing lines are what matters).
 */
export function unifiedDiff(
  expected: string,
  actual: string,
  labels: { readonly expected: string; readonly actual: string } = {
    expected: "expected (masked)",
    actual: "actual (masked)",
  },
  maxLines = Number.POSITIVE_INFINITY,
): string {
  if (expected === actual) return "";
  const a = splitLines(expected);
  const b = splitLines(actual);
  const edits = editScript(a, b);
  const out: string[] = [`--- ${labels.expected}`, `+++ ${labels.actual}`];
  const context = 3;
  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.op === " ") {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2*context of the previous one.
    let start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < edits.length && edits[end]!.op !== " ") end++;
      let next = end;
      while (next < edits.length && edits[next]!.op === " ") next++;
      if (next < edits.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(edits.length, end + context);
        break;
      }
    }
    // Line numbers of the hunk start.
    let aLine = 1;
    let bLine = 1;
    for (let j = 0; j < start; j++) {
      if (edits[j]!.op !== "+") aLine++;
      if (edits[j]!.op !== "-") bLine++;
    }
    const body = edits.slice(start, end);
    const aCount = body.filter((e) => e.op !== "+").length;
    const bCount = body.filter((e) => e.op !== "-").length;
    out.push(
      `@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`,
    );
    for (const e of body) out.push(`${e.op}${e.line}`);
    i = end;
    start = end;
  }
  if (out.length > maxLines) {
    const kept = out.slice(0, maxLines);
    kept.push(`... (${out.length - maxLines} more diff lines)`);
    return `${kept.join("\n")}\n`;
  }
  return `${out.join("\n")}\n`;
}
