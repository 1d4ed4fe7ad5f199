/**
 * A small `sscanf` for the prioritizers' argument strings, with C's semantics for the
 * directives they use: literal characters must match, white space in the format matches any
 * amount (also none), `%s` reads a non-blank word, `%i` an integer in C notation (0x hex,
 * leading-0 octal), `%d` and `%u` decimal. Returns the values assigned before the first
 * mismatch (C's return value is their count, or -1 when the input ended before any conversion).
 */
export function sscanf(input: string, format: string): { count: number; values: Array<string | number> } {
  const values: Array<string | number> = [];
  let i = 0;
  let f = 0;
  const isSpace = (c: string | undefined) => c !== undefined && " \t\n\v\f\r".includes(c);
  while (f < format.length) {
    const fc = format[f]!;
    if (isSpace(fc)) {
      while (isSpace(format[f])) f++;
      while (isSpace(input[i])) i++;
      continue;
    }
    if (fc !== "%") {
      if (input[i] !== fc) break;
      i++;
      f++;
      continue;
    }
    const conv = format[f + 1];
    f += 2;
    while (isSpace(input[i])) i++;
    if (i >= input.length) return { count: values.length === 0 ? -1 : values.length, values };
    if (conv === "s") {
      const start = i;
      while (i < input.length && !isSpace(input[i])) i++;
      values.push(input.slice(start, i));
      continue;
    }
    const m = (conv === "i" ? /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/ : /^[+-]?[0-9]+/).exec(
      input.slice(i),
    );
    if (!m) break;
    const text = m[0];
    const neg = text.startsWith("-");
    const body = text.replace(/^[+-]/, "");
    let v: number;
    if (conv === "i" && /^0[xX]/.test(body)) v = Number.parseInt(body.slice(2), 16);
    else if (conv === "i" && body.length > 1 && body.startsWith("0")) v = Number.parseInt(body, 8);
    else v = Number(body);
    v = neg ? -v : v;
    values.push(conv === "u" ? v >>> 0 : v | 0);
    i += text.length;
  }
  return { count: values.length, values };
}

/** C `atoi`: optional blanks and sign, then decimal digits; 0 when there are none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Number(m[1]) | 0 : 0;
}

/** `get_next_string(&temp, " \t")`: the next non-empty token, and what follows it (null at the end). */
export function nextString(rest: string | null): [string | null, string | null] {
  let r = rest;
  while (r !== null) {
    const m = /[ \t]/.exec(r);
    const tok = m ? r.slice(0, m.index) : r;
    r = m ? r.slice(m.index + 1) : null;
    if (tok !== "") return [tok, r];
  }
  return [null, null];
}
