import type { ScenarioMachine } from "../machine/machine.js";
import type { Scenario } from "./ast.js";
import { findMissing, formatMissing } from "./capabilities.js";
import { parseScenario } from "./parser.js";
import { ScenarioSession } from "./session.js";

/** How a scenario run ended. */
export type RunOutcome =
  | { readonly kind: "completed" }
  | { readonly kind: "scn-error"; readonly line: number; readonly message: string }
  | { readonly kind: "skipped"; readonly line: number; readonly reason: string };

/** A scenario's transcript and outcome. */
export interface RunResult {
  readonly transcript: string;
  readonly outcome: RunOutcome;
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  /**
   * When the machine lacks something the scenario needs: run the directives before it and stop
   * there (true, for `mp scn`), or skip at once (false, the default, for `mp conformance`).
   */
  readonly runUntilMissing?: boolean;
}

/** Runs a parsed scenario on a machine. */
export async function runParsedScenario(
  scenario: Scenario,
  machine: ScenarioMachine,
  options: RunOptions = {},
): Promise<RunResult> {
  const missing = findMissing(scenario.nodes, machine);
  if (missing && !options.runUntilMissing) {
    return {
      transcript: "",
      outcome: { kind: "skipped", line: missing.line, reason: formatMissing(missing.missing) },
    };
  }
  const session = new ScenarioSession(machine);
  for (const node of scenario.nodes) {
    if (missing && node.line >= missing.line) {
      return {
        transcript: session.transcript,
        outcome: { kind: "skipped", line: missing.line, reason: formatMissing(missing.missing) },
      };
    }
    const r = await session.step(node);
    if (r.kind === "missing") {
      return {
        transcript: session.transcript,
        outcome: { kind: "skipped", line: r.line, reason: formatMissing(r.missing) },
      };
    }
    if (r.kind === "error") {
      return {
        transcript: session.transcript,
        outcome: { kind: "scn-error", line: r.line, message: r.message },
      };
    }
  }
  return { transcript: session.transcript, outcome: { kind: "completed" } };
}

/** Parses and runs a scenario file's text on a machine. */
export function runScenario(
  text: string,
  machine: ScenarioMachine,
  options: RunOptions = {},
): Promise<RunResult> {
  return runParsedScenario(parseScenario(text), machine, options);
}
