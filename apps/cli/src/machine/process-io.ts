/**
 * A tool's standard output and error. Tools write to both; where they end up depends on the
 * caller: a scenario captures them into one pipe-like stream (stdout fully buffered, as glibc
 * buffers a pipe, so stderr lines can come first), the `mp` binary writes them to its own streams.
 */
export interface ProcessIo {
  /** Writes to stdout (buffered as for a pipe). */
  stdout(text: string): void;
  /** Writes to stderr (unbuffered). */
  stderr(text: string): void;
  /** `fflush(stdout)`. */
  flush(): void;
}

/** glibc's buffer size for a stream on a pipe (`st_blksize`). */
export const PIPE_BUFFER_SIZE = 4096;

/**
 * stdout and stderr both going to one pipe: stderr text lands at once, stdout text only when the
 * 4 KiB buffer fills, on an explicit flush, or at exit ({@link CapturedOutput.finish}).
 */
export class CapturedOutput implements ProcessIo {
  #merged = "";
  #buffer = "";
  #stdoutOnly = "";
  #stderrOnly = "";
  #finished = false;

  stdout(text: string): void {
    this.#stdoutOnly += text;
    this.#buffer += text;
    while (this.#buffer.length >= PIPE_BUFFER_SIZE) {
      this.#merged += this.#buffer.slice(0, PIPE_BUFFER_SIZE);
      this.#buffer = this.#buffer.slice(PIPE_BUFFER_SIZE);
    }
  }

  stderr(text: string): void {
    this.#stderrOnly += text;
    this.#merged += text;
  }

  flush(): void {
    this.#merged += this.#buffer;
    this.#buffer = "";
  }

  /** The process exited normally: flush and return the merged text. */
  finish(): string {
    if (!this.#finished) {
      this.flush();
      this.#finished = true;
    }
    return this.#merged;
  }

  /** The process was killed: what reached the pipe (its unflushed stdout is lost). */
  killed(): string {
    this.#finished = true;
    this.#buffer = "";
    return this.#merged;
  }

  /** Everything written to stdout (as `cmd 2>/dev/null` would see it). */
  get stdoutText(): string {
    return this.#stdoutOnly;
  }

  /** Everything written to stderr. */
  get stderrText(): string {
    return this.#stderrOnly;
  }
}

/** Writes straight to two sinks (the `mp` binary's own stdout and stderr). */
export class StreamOutput implements ProcessIo {
  readonly #out: (s: string) => void;
  readonly #err: (s: string) => void;

  constructor(out: (s: string) => void, err: (s: string) => void) {
    this.#out = out;
    this.#err = err;
  }

  stdout(text: string): void {
    this.#out(text);
  }

  stderr(text: string): void {
    this.#err(text);
  }

  flush(): void {}
}
