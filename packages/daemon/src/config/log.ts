import { NSEC_PER_SEC, NSEC_PER_USEC } from "@mp/dm-core";

/**
 * multipath-tools' `condlog` priorities: 0 error, 1 warning, 2 notice, 3 info, 4 debug. A message
 * is printed when its level is at most the verbosity (2 unless `-v` says otherwise).
 */
export type LogLevel = 0 | 1 | 2 | 3 | 4;

/**
 * One message libmultipath logged while loading or using the configuration, in its exact words
 * (without the `<timestamp> | ` prefix that `multipath` / `multipathd -k` put on stderr).
 */
export interface ConfigDiagnostic {
  readonly level: LogLevel;
  /** Stable identifier of the message kind, e.g. `invalid-keyword`, `value-capped`. */
  readonly code: string;
  readonly message: string;
  /** The file the message is about, when it is about one. */
  readonly file?: string;
  /** 1-based line number, for messages about a line. */
  readonly line?: number;
  /** 1-based column of the offending token, where the tokeniser knows it (not part of the message). */
  readonly column?: number;
}

/** Collects diagnostics in the order libmultipath would log them. */
export class ConfigLog {
  readonly entries: ConfigDiagnostic[] = [];

  add(
    level: LogLevel,
    code: string,
    message: string,
    where?: { file?: string; line?: number; column?: number },
  ): void {
    const d: { -readonly [K in keyof ConfigDiagnostic]: ConfigDiagnostic[K] } = { level, code, message };
    if (where?.file !== undefined) d.file = where.file;
    if (where?.line !== undefined) d.line = where.line;
    if (where?.column !== undefined) d.column = where.column;
    this.entries.push(d);
  }
}

/**
 * The `%ld.%06ld | ` prefix of `LOGSINK_STDERR_WITH_TIME` (monotonic seconds and microseconds), as
 * `multipath` and `multipathd -k` print it before each message.
 */
export function formatLogTimestamp(nowNs: number): string {
  const sec = Math.floor(nowNs / NSEC_PER_SEC);
  const usec = Math.floor((nowNs - sec * NSEC_PER_SEC) / NSEC_PER_USEC);
  return `${sec}.${String(usec).padStart(6, "0")} | `;
}

/**
 * Renders diagnostics the way the tools print them on stderr: one line per message at or below
 * `verbosity`, each prefixed with the timestamp for `nowNs` (from the injected clock).
 */
export function formatDiagnostics(
  diagnostics: readonly ConfigDiagnostic[],
  nowNs: number | ((index: number) => number),
  verbosity = 2,
): string {
  let out = "";
  let i = 0;
  for (const d of diagnostics) {
    if (d.level > verbosity) continue;
    const t = typeof nowNs === "number" ? nowNs : nowNs(i);
    out += `${formatLogTimestamp(t)}${d.message}\n`;
    i++;
  }
  return out;
}

/**
 * Raised inside the loader where multipath-tools 0.9.4 itself crashes on a configuration (it
 * dereferences a NULL pointer), so that the load can report it as the tool's fate instead of
 * going on with a state the real tool never reaches. Never escapes `loadConfig`.
 */
export class ToolCrash {
  constructor(
    readonly signal: "SIGSEGV",
    readonly reason: string,
  ) {}
}
