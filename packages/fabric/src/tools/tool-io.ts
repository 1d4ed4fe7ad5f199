/** A tool's standard output and error (structurally the CLI's `ProcessIo`). */
export interface ToolIo {
  stdout(text: string): void;
  stderr(text: string): void;
}
