// @mp/cli — the `mp` binary's library: the .scn scenario language and runner, the machine
// composition seam, and the dmsetup and dd emulations.

export type { OneShotResult } from "./app/one-shot.js";
export {
  DEFAULT_LOOP_BYTES,
  DEFAULT_LOOPS,
  DEFAULT_MODULES,
  defaultMachine,
  runOneShot,
} from "./app/one-shot.js";
export { runShell, SHELL_HELP } from "./app/shell.js";
export type { CommandLine, Scenario, ScnNode, ScnNodeKind, Secs } from "./conformance/ast.js";
export { formatScnError } from "./conformance/ast.js";
export { expectedProvider, findMissing, formatMissing } from "./conformance/capabilities.js";
export type { Comparison } from "./conformance/compare.js";
export { compareTranscripts } from "./conformance/compare.js";
export { unifiedDiff } from "./conformance/diff.js";
export { compileEre, EreError, ereToJs, grepE } from "./conformance/ere.js";
export type { Mask, MaskCollection } from "./conformance/mask.js";
export { collectMasks, MaskSet } from "./conformance/mask.js";
export { checkCommand, parseScenario, parseSecs, parseSize, scenarioLines } from "./conformance/parser.js";
export type { RunOptions, RunOutcome, RunResult } from "./conformance/runner.js";
export { runParsedScenario, runScenario } from "./conformance/runner.js";
export type { StepResult } from "./conformance/session.js";
export {
  BG_LIMIT_NS,
  COMMAND_LIMIT_NS,
  catOut,
  keepDmesgLine,
  ScenarioSession,
  TIMEOUT_RC,
} from "./conformance/session.js";
export type { ScenarioFile, SuiteSummary, Verdict } from "./conformance/suite.js";
export { checkScenario, findScenarios, formatSummary, summarize } from "./conformance/suite.js";
export type { SplitResult } from "./conformance/words.js";
export { quoteWord, quoteWords, splitWords } from "./conformance/words.js";
export { composeMachine } from "./machine/compose.js";
export { corePlugin } from "./machine/core-plugin.js";
export {
  DEBIAN_61_CONFIG,
  DEFAULT_READ_AHEAD_SECTORS,
  dmPlugin,
  kernelDeviceNodes,
} from "./machine/dm-plugin.js";
export type {
  CommandContext,
  CommandFn,
  CommandResult,
  CommandSpec,
  DeviceNodes,
  DirectiveContext,
  DirectiveHandler,
  LoopControl,
  MachineBuilder,
  MachinePlugin,
  MachineServices,
  Missing,
  PluggableDirective,
  ScenarioMachine,
  SimKernel,
  UdevControl,
} from "./machine/machine.js";
export { MissingCapability, ScenarioAbort } from "./machine/machine.js";
export type { PluginProblem } from "./machine/plugins.js";
export { discoverPlugins, MachineFactory } from "./machine/plugins.js";
export type { ProcessIo } from "./machine/process-io.js";
export { CapturedOutput, PIPE_BUFFER_SIZE, StreamOutput } from "./machine/process-io.js";
export type { DdEnv, DdFile } from "./tools/dd/dd.js";
export { ddMain } from "./tools/dd/dd.js";
export type { DmsetupEnv } from "./tools/dmsetup/dmsetup.js";
export { dmsetupMain, LIBDM_VERSION, scanTableLine, splitLvmName } from "./tools/dmsetup/dmsetup.js";
export type { GetoptResult, LongOption, ParsedOption } from "./tools/getopt.js";
export { getoptLong } from "./tools/getopt.js";
