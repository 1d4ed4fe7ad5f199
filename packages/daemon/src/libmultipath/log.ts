/**
 * libmultipath's `condlog()`: messages with a priority (0 error … 4 debug) that reach a sink
 * when the priority is at most the verbosity. The `multipath` tool prints them on stderr as
 * `<monotonic s.us> | <message>`; multipathd sends them to syslog, which the model keeps in a
 * bounded in-memory ring (the journal) so tests and dashboards can read them.
 */
import type { Clock } from "@mp/dm-core";
import { ConfigLog, formatLogTimestamp, type LogLevel } from "../config/log.js";

/** One logged message. */
export interface LogRecord {
  /** Virtual time in nanoseconds. */
  readonly timeNs: number;
  readonly level: LogLevel;
  readonly message: string;
}

/** Where messages go once they passed the verbosity filter. */
export type LogSink = (record: LogRecord) => void;

/** The `condlog` of one process (a daemon or one run of the `multipath` tool). */
export class Logger {
  /** `libmp_verbosity`. */
  verbosity: number;
  readonly #clock: Clock;
  readonly #sinks: LogSink[] = [];

  constructor(clock: Clock, verbosity = 2, sink?: LogSink) {
    this.#clock = clock;
    this.verbosity = verbosity;
    if (sink) this.#sinks.push(sink);
  }

  /** Adds a sink; returns a function removing it. */
  addSink(sink: LogSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  /** True when a message of this priority would be emitted (saves building it otherwise). */
  enabled(level: number): boolean {
    return level <= this.verbosity && this.#sinks.length > 0;
  }

  /** `condlog(level, fmt, ...)`. */
  log(level: LogLevel, message: string): void {
    if (level > this.verbosity || this.#sinks.length === 0) return;
    const rec: LogRecord = { timeNs: this.#clock.now(), level, message };
    for (const s of this.#sinks) s(rec);
  }

  /**
   * A {@link ConfigLog} whose entries go straight to this logger, for the config module's
   * selectors and blacklist filters (which log in libmultipath's words).
   */
  configLog(): ConfigLog {
    return new ForwardingConfigLog(this);
  }
}

class ForwardingConfigLog extends ConfigLog {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    super();
    this.#logger = logger;
  }

  override add(
    level: LogLevel,
    code: string,
    message: string,
    where?: { file?: string; line?: number },
  ): void {
    void code;
    void where;
    this.#logger.log(level, message);
  }
}

/** A sink writing `LOGSINK_STDERR_WITH_TIME` lines (`12.345678 | msg\n`) to `write`. */
export function stderrWithTimeSink(write: (text: string) => void): LogSink {
  return (r) => write(`${formatLogTimestamp(r.timeNs)}${r.message}\n`);
}

/** A bounded journal of records (multipathd's syslog in the model). */
export class LogRing {
  readonly #records: LogRecord[] = [];
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  readonly sink: LogSink = (r) => {
    if (this.#records.length >= this.#capacity) this.#records.shift();
    this.#records.push(r);
  };

  /** The records kept, oldest first. */
  records(): readonly LogRecord[] {
    return this.#records;
  }

  /** Messages only, oldest first. */
  messages(): string[] {
    return this.#records.map((r) => r.message);
  }

  clear(): void {
    this.#records.length = 0;
  }
}
