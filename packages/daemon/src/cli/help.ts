/**
 * The usage text multipathd replies to a command it cannot parse (multipathd/cli.c `genhelp_handler`):
 * an error line naming the command as received, the version, and one line per command built from
 * the keyword table (`list|show maps|multipaths format $format`).
 */
import { COMMAND_SPECS } from "./commands.js";
import { keywordAliases, keywordForCode } from "./keywords.js";
import type { CliErrno } from "./parse.js";

/** VERSION_STRING of multipath-tools 0.9.4. */
export const MULTIPATH_TOOLS_VERSION = "multipath-tools v0.9.4 (12/19, 2022)";

function commandReference(): string {
  let out = "";
  for (const spec of COMMAND_SPECS) {
    for (const code of spec.codes) {
      const kw = keywordForCode(code);
      out += ` ${kw.str}`;
      for (const alias of keywordAliases(kw)) out += `|${alias.str}`;
      if (kw.hasParam) out += ` $${kw.str}`;
    }
    out += "\n";
  }
  return out;
}

const REFERENCE = `${MULTIPATH_TOOLS_VERSION}\nCLI commands reference:\n${commandReference()}`;

/**
 * `genhelp_handler()`: `cmd` is the command exactly as received (a command from the `multipathd`
 * client ends in ` \n`, so the error line reads `show foo \n: not found`).
 */
export function genhelp(cmd: string, errno: CliErrno | null): string {
  let head = "";
  switch (errno) {
    case "ENOMEM":
      head = `${cmd}: Not enough memory\n`;
      break;
    case "ESRCH":
      head = `${cmd}: not found\n`;
      break;
    case "EINVAL":
      head = `${cmd}: Missing argument\n`;
      break;
    default:
      break;
  }
  return head + REFERENCE;
}
