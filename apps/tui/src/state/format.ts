/** Small, pure text formatters shared by the views (fixed widths keep the layout still). */

/** `HH:MM:SS.mmm` of a virtual time in ns (hours grow past 99 rather than wrap). */
export function formatClock(ns: number): string {
  const ms = Math.max(0, Math.floor(ns / 1_000_000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const milli = ms % 1000;
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(milli).padStart(3, "0")}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** A count in at most 5 characters: `987`, `12.3k`, `123k`, `1.2M`; `-` for unknown. */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return "-";
  const v = Math.round(n);
  if (v < 1000) return String(v);
  if (v < 9_950) return `${(v / 1000).toFixed(1)}k`;
  if (v < 999_500) return `${Math.round(v / 1000)}k`;
  if (v < 9_950_000) return `${(v / 1e6).toFixed(1)}M`;
  return `${Math.round(v / 1e6)}M`;
}

/** A latency in µs as `850µs`, `1.2ms`, `35ms`, `1.5s`; `-` for unknown. */
export function formatLatency(us: number | null): string {
  if (us === null || !Number.isFinite(us)) return "-";
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 9_950) return `${(us / 1000).toFixed(1)}ms`;
  if (us < 999_500) return `${Math.round(us / 1000)}ms`;
  return `${(us / 1e6).toFixed(1)}s`;
}

/** Bytes per second as `12.3M/s`. */
export function formatRate(bytesPerSec: number | null): string {
  if (bytesPerSec === null || !Number.isFinite(bytesPerSec)) return "-";
  const units = ["B", "K", "M", "G", "T"];
  let v = bytesPerSec;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)}${units[u]}/s`;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * The last `width` samples as a sparkline, scaled to the largest sample shown (or `max` when
 * given). Missing history is left-padded with spaces so the line does not move as it fills.
 */
export function sparkline(samples: readonly number[], width: number, max?: number): string {
  if (width <= 0) return "";
  const shown = samples.slice(-width);
  let top = max ?? 0;
  if (max === undefined) for (const v of shown) if (v > top) top = v;
  let out = " ".repeat(width - shown.length);
  for (const v of shown) {
    if (!(v > 0) || top <= 0) out += " ";
    else out += BARS[Math.min(BARS.length - 1, Math.max(0, Math.ceil((v / top) * BARS.length) - 1))];
  }
  return out;
}

/** Display width of a string (the dashboard only prints single-width characters). */
export function textWidth(s: string): number {
  return [...s].length;
}

/** Cuts `s` to `width` characters, marking the cut with `…`. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...s];
  if (chars.length <= width) return s;
  if (width === 1) return "…";
  return `${chars.slice(0, width - 1).join("")}…`;
}

/** Left-aligns `s` in exactly `width` characters. */
export function padEnd(s: string, width: number): string {
  const t = truncate(s, width);
  return t + " ".repeat(Math.max(0, width - textWidth(t)));
}

/** Right-aligns `s` in exactly `width` characters. */
export function padStart(s: string, width: number): string {
  const t = truncate(s, width);
  return " ".repeat(Math.max(0, width - textWidth(t))) + t;
}

/** A speed factor as `1×`, `10×`, `0.5×`. */
export function formatSpeed(x: number): string {
  if (x >= 10) return `${Math.round(x)}×`;
  return `${Number(x.toFixed(1))}×`;
}
