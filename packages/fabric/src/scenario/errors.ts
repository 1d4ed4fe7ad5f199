import { MpError } from "@mp/dm-core";
import { formatDiagnostic, type ScenarioDiagnostic } from "./yaml-reader.js";

/** A scenario file is invalid; `diagnostics` hold every problem with its line and column. */
export class ScenarioError extends MpError {
  readonly diagnostics: readonly ScenarioDiagnostic[];

  constructor(diagnostics: readonly ScenarioDiagnostic[]) {
    super("MP_SCENARIO", diagnostics.map(formatDiagnostic).join("\n"));
    this.diagnostics = diagnostics;
  }
}

/**
 * A scenario could not be set up in its world (a dm table the kernel refused, a module that
 * would not load); the message carries the kernel's own words.
 */
export class ScenarioSetupError extends MpError {
  constructor(message: string) {
    super("MP_SCENARIO_SETUP", message);
  }
}
