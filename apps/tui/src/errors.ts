/**
 * The dashboard's errors, each with a stable code. A user mistake (bad options, a scenario that
 * does not read, no daemon on the socket) is a {@link TuiError} with a message written for the
 * user; `runDashboard` prints it and exits non-zero, having given the terminal back.
 */
import { MpError } from "@mp/dm-core";

/** Base of every error the dashboard throws. */
export class TuiError extends MpError {}

/** Options that do not go together, or values out of range. */
export class TuiUsageError extends TuiError {
  constructor(message: string) {
    super("MP_TUI_USAGE", message);
  }
}

/** A daemon's output did not read as multipathd 0.9.4 prints it. */
export class ShowParseError extends TuiError {
  readonly command: string;
  constructor(command: string, message: string) {
    super("MP_TUI_SHOW_PARSE", `${command}: ${message}`);
    this.command = command;
  }
}

/** The simulated host would not come up. */
export class WorldBuildError extends TuiError {
  constructor(message: string) {
    super("MP_TUI_WORLD", message);
  }
}

/** A scenario file could not be read, or did not parse (diagnostics as file:line:col: message). */
export class ScenarioLoadError extends TuiError {
  constructor(message: string) {
    super("MP_TUI_SCENARIO", message);
  }
}

/** No daemon answers on the socket. */
export class DaemonUnreachableError extends TuiError {
  constructor(message: string) {
    super("MP_TUI_DAEMON", message);
  }
}
