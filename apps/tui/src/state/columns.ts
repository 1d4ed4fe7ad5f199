/**
 * Table columns that fit the terminal: each column has a base width and a priority; the
 * narrowest terminal keeps the most important ones, a wider one adds the rest, and what is left
 * goes to the columns that can grow (names, WWIDs, routes).
 */
import { padEnd, padStart } from "./format.js";

/** One column of a table of `T`. */
export interface Column<T> {
  readonly id: string;
  readonly title: string;
  /** Width the column needs. */
  readonly width: number;
  /** Most it may grow to (default: `width`). */
  readonly maxWidth?: number;
  readonly align: "left" | "right";
  /** 0 is always shown; higher numbers are dropped first when space runs out. */
  readonly priority: number;
  readonly value: (row: T) => string;
}

/** A column with the width it got. */
export interface PlacedColumn<T> {
  readonly column: Column<T>;
  readonly width: number;
}

/** Spaces between two columns. */
export const COLUMN_GAP = 1;

/**
 * Chooses the columns that fit `total` characters (in their declared order) and their widths.
 * Deterministic in (columns, total), so the layout never jitters between refreshes.
 */
export function fitColumns<T>(columns: readonly Column<T>[], total: number): PlacedColumn<T>[] {
  const order = columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.priority - b.c.priority || a.i - b.i);
  const chosen = new Set<number>();
  let used = 0;
  for (const { c, i } of order) {
    const need = c.width + (chosen.size > 0 ? COLUMN_GAP : 0);
    if (used + need > total && c.priority > 0) continue;
    chosen.add(i);
    used += need;
  }
  const widths = columns.map((c, i) => (chosen.has(i) ? c.width : 0));
  let spare = total - used;
  // Hand out the spare width one character at a time, round-robin over growable columns, so
  // that all of them grow together.
  for (let changed = true; spare > 0 && changed; ) {
    changed = false;
    for (let i = 0; i < columns.length && spare > 0; i++) {
      const c = columns[i]!;
      if (!chosen.has(i) || widths[i]! >= (c.maxWidth ?? c.width)) continue;
      widths[i]!++;
      spare--;
      changed = true;
    }
  }
  const placed: PlacedColumn<T>[] = [];
  columns.forEach((c, i) => {
    if (chosen.has(i)) placed.push({ column: c, width: widths[i]! });
  });
  return placed;
}

/** One cell, padded to its column's width. */
export function cell<T>(p: PlacedColumn<T>, text: string): string {
  return p.column.align === "right" ? padStart(text, p.width) : padEnd(text, p.width);
}

/** The header line of placed columns; the sort column, when given, carries ↑ or ↓. */
export function headerLine<T>(
  placed: readonly PlacedColumn<T>[],
  sort?: { readonly column: string | undefined; readonly descending: boolean },
): string {
  return placed
    .map((p) => {
      const sorted = sort !== undefined && p.column.id === sort.column;
      return cell(p, sorted ? `${p.column.title}${sort.descending ? "↓" : "↑"}` : p.column.title);
    })
    .join(" ".repeat(COLUMN_GAP));
}

/** The cells of one row. */
export function rowCells<T>(placed: readonly PlacedColumn<T>[], row: T): string[] {
  return placed.map((p) => cell(p, p.column.value(row)));
}
