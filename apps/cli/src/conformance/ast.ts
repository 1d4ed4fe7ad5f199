/**
 * The typed form of a `.scn` scenario: one node per directive, in file order, each with the
 * 1-based line it came from. A scenario error is itself a node: the lab's interpreter runs a file
 * line by line and only stops when it reaches the bad line, so everything before it still runs.
 */

/** A duration written as `SECS` (`2`, `0.5`), kept as text and as integer nanoseconds. */
export interface Secs {
  readonly text: string;
  readonly ns: number;
}

/** A command of `$`, `@bg` or `@until`: the text as written and its words. */
export interface CommandLine {
  /** The command text exactly as written (after trimming), as the transcript echoes it. */
  readonly raw: string;
  readonly words: readonly string[];
}

/** One directive of a scenario. */
export type ScnNode =
  | { readonly kind: "section"; readonly line: number; readonly title: string }
  | { readonly kind: "echo"; readonly line: number; readonly text: string }
  | { readonly kind: "run"; readonly line: number; readonly command: CommandLine }
  | {
      readonly kind: "loop";
      readonly line: number;
      readonly name: string;
      readonly index: number;
      readonly sizeBytes: number;
    }
  | {
      readonly kind: "modprobe";
      readonly line: number;
      readonly module: string;
      readonly params: readonly string[];
    }
  | { readonly kind: "udev"; readonly line: number }
  | { readonly kind: "multipathd"; readonly line: number; readonly args: readonly string[] }
  | { readonly kind: "idle"; readonly line: number; readonly secs: Secs }
  | { readonly kind: "config"; readonly line: number; readonly startLine: number; readonly text: string }
  | { readonly kind: "write"; readonly line: number; readonly path: string; readonly value: string }
  | { readonly kind: "dmesg"; readonly line: number }
  | { readonly kind: "dmesg-clear"; readonly line: number }
  | { readonly kind: "bg"; readonly line: number; readonly name: string; readonly command: CommandLine }
  | { readonly kind: "wait"; readonly line: number; readonly name: string }
  | { readonly kind: "sleep"; readonly line: number; readonly secs: Secs }
  | {
      readonly kind: "until";
      readonly line: number;
      readonly secs: Secs;
      readonly command: CommandLine;
      /** The ERE, verbatim. */
      readonly regex: string;
    }
  | { readonly kind: "mask"; readonly line: number; readonly regex: string; readonly replacement: string }
  | { readonly kind: "error"; readonly line: number; readonly message: string };

/** The kinds of {@link ScnNode}. */
export type ScnNodeKind = ScnNode["kind"];

/** A parsed scenario. When the last node is an `error`, the scenario stops there. */
export interface Scenario {
  readonly nodes: readonly ScnNode[];
  /** Number of lines in the file (as `read` counts them). */
  readonly lineCount: number;
}

/** The `[scn error: line N: MESSAGE]` line the transcript shows for a scenario error. */
export function formatScnError(line: number, message: string): string {
  return `[scn error: line ${line}: ${message}]`;
}
