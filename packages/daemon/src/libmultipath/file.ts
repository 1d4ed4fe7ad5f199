/**
 * libmultipath/file.c `open_file` over the host's file store: the state files (bindings, wwids)
 * are created with their header when missing or empty. Reading and appending then work on the
 * whole text, as the C code's `fgets` / `lseek(SEEK_END)` + `write` do.
 */
import type { LibmpContext } from "./context.js";

/** An opened state file: its text and whether it may be written. */
export interface OpenedFile {
  readonly path: string;
  text: string;
  readonly canWrite: boolean;
}

/** `open_file(file, &can_write, header)`; null when the file cannot be used. */
export function openFile(ctx: LibmpContext, path: string, header: string): OpenedFile | null {
  const files = ctx.host.files;
  const text = files.read(path);
  if (text !== null && text.length > 0) return { path, text, canWrite: true };
  const err = files.write(path, header);
  if (err !== 0) {
    if (text === null) {
      ctx.log.log(0, `Cannot open file [${path}] : ${errnoText(err)}`);
      return null;
    }
    // An empty read-only file: upstream gives up (it cannot write the header).
    return null;
  }
  ctx.log.log(3, `Initialized new file [${path}]`);
  return { path, text: header, canWrite: true };
}

/** Appends `line` to an opened file (`lseek(SEEK_END)` + `write`); false when the write failed. */
export function appendToFile(ctx: LibmpContext, f: OpenedFile, line: string): boolean {
  // One string for the file and the opened copy, so that the next read of the file is the very
  // string already parsed (see ParsedLines), not an equal one to compare character by character.
  const text = f.text + line;
  const err = ctx.host.files.write(f.path, text);
  if (err !== 0) return false;
  f.text = text;
  return true;
}

/** Replaces an opened file's text. */
export function rewriteFile(ctx: LibmpContext, f: OpenedFile, text: string): boolean {
  const err = ctx.host.files.write(f.path, text);
  if (err !== 0) return false;
  f.text = text;
  return true;
}

function errnoText(errno: number): string {
  switch (errno) {
    case 2:
      return "No such file or directory";
    case 13:
      return "Permission denied";
    case 30:
      return "Read-only file system";
    default:
      return `Unknown error ${errno}`;
  }
}

/** The lines of a text as `fgets` reads them (without their `\n`). */
export function fileLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * The lines of a file's text, each parsed once: the bindings and wwids files are scanned line by
 * line at every lookup, as upstream does, and with thousands of maps the parsing (not the scan)
 * was the cost. Keeps the last text seen; an append the cache is told of ({@link appended}) only
 * parses the new lines without touching the text (reading a long string built by appends costs
 * a copy of it), and a text that extends the last one by whole lines only parses those.
 */
export class ParsedLines<T> {
  #text: string | null = null;
  /** Whether `#text` is empty or ends with a newline (so appended text starts a new line). */
  #atLineStart = true;
  #items: T[] = [];
  #set: Set<T> | null = null;
  readonly #parse: (line: string) => T;

  constructor(parse: (line: string) => T) {
    this.#parse = parse;
  }

  /** `fileLines(text).map(parse)`, from the cache when it can. */
  of(text: string): readonly T[] {
    const old = this.#text;
    if (old === text) return this.#items;
    if (old !== null && this.#atLineStart && text.length > old.length && text.startsWith(old)) {
      this.#push(text.slice(old.length));
    } else {
      this.#items = fileLines(text).map(this.#parse);
      this.#set = null;
    }
    this.#text = text;
    this.#atLineStart = text.length === 0 || text.endsWith("\n");
    return this.#items;
  }

  /** The file's text went from `before` to `after` = `before + added` (an append). */
  appended(before: string, added: string, after: string): void {
    if (this.#text !== before || !this.#atLineStart) return;
    this.#push(added);
    this.#text = after;
    if (added.length > 0) this.#atLineStart = added.endsWith("\n");
  }

  #push(added: string): void {
    for (const line of fileLines(added)) {
      const item = this.#parse(line);
      this.#items.push(item);
      this.#set?.add(item);
    }
  }

  /** Whether some line of `text` parses to `item`. */
  has(text: string, item: T): boolean {
    const items = this.of(text);
    this.#set ??= new Set(items);
    return this.#set.has(item);
  }
}
