/** The status line: the prompt while typing, else the last message, else the source's notice. */
import type { ReactElement } from "react";
import type { Message, Prompt } from "../state/dashboard.js";
import { Line } from "./segments.js";

/** Props of {@link StatusLine}. */
export interface StatusLineProps {
  readonly prompt: Prompt | null;
  readonly message: Message | null;
  readonly notice: string | null;
  /** What the operator keys act on now (`map mpatha · path sda`), shown when nothing else is. */
  readonly target: string;
  readonly width: number;
}

const LEVEL_COLORS: Readonly<Record<Message["level"], string>> = {
  info: "white",
  ok: "green",
  warn: "yellow",
  error: "red",
};

/** The status line. */
export function StatusLine({ prompt, message, notice, target, width }: StatusLineProps): ReactElement {
  if (prompt) {
    const lead = prompt.kind === "command" ? ":" : "/";
    return (
      <Line
        segments={[
          { text: lead, bold: true, color: "cyan" },
          { text: prompt.text },
          { text: "█", color: "cyan" },
        ]}
        width={width}
      />
    );
  }
  if (message)
    return <Line segments={[{ text: message.text, color: LEVEL_COLORS[message.level] }]} width={width} />;
  if (notice) return <Line segments={[{ text: notice, color: "yellow" }]} width={width} />;
  return (
    <Line
      segments={[{ text: target === "" ? "? for help" : `selected: ${target}   (? for help)`, dim: true }]}
      width={width}
    />
  );
}
