/**
 * The `multipathd` program as a client (multipathd/main.c option handling, uxclnt.c): options,
 * how the command words become one command line, and how the reply becomes output and an exit
 * status. Transport-free: the caller sends the line (socket or in-process) and hands back what
 * happened.
 */

/** CMDSIZE: the client's buffer for a command joined from its arguments. */
export const CLIENT_CMDSIZE = 160;

/** How `multipathd ARGS` was invoked. */
export type MultipathdInvocation =
  /** No command: start the daemon. */
  | {
      readonly mode: "daemon";
      readonly foreground: boolean;
      readonly verbosity: number | null;
      readonly logToStderrWithoutTime: boolean;
      readonly bindingsReadOnly: boolean;
      readonly pollDmevents: boolean;
    }
  /** Send `command` and print the reply. */
  | { readonly mode: "client"; readonly command: string; readonly verbosity: number | null }
  /** `-k` alone: the interactive shell (multipathc). */
  | { readonly mode: "interactive"; readonly verbosity: number | null }
  /** Bad usage: print `stderr` and exit 1. */
  | { readonly mode: "error"; readonly stderr: string; readonly exitCode: 1 };

/**
 * Parses `multipathd`'s arguments (after the program name) as glibc `getopt(":dsv:k::Bniw")`
 * does: options may follow the command words (they are permuted), `--` ends options, `-k` takes
 * its argument only when attached (`-k"show maps"`).
 */
export function parseMultipathdArgs(argv: readonly string[]): MultipathdInvocation {
  let foreground = false;
  let verbosity: number | null = null;
  let stderrNoTime = false;
  let bindingsReadOnly = false;
  let pollDmevents = true;
  let optK = false;
  let optKArg: string | null = null;
  const words: string[] = [];
  const bad = (c: string): MultipathdInvocation => ({
    mode: "error",
    stderr: `Invalid argument '-${c}'\n`,
    exitCode: 1,
  });

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      switch (c) {
        case "d":
          foreground = true;
          break;
        case "s":
          stderrNoTime = true;
          break;
        case "B":
          bindingsReadOnly = true;
          break;
        case "n":
          // Deprecated; upstream only logs a warning to syslog.
          break;
        case "w":
          pollDmevents = false;
          break;
        case "k":
          optK = true;
          optKArg = j + 1 < arg.length ? arg.slice(j + 1) : null;
          j = arg.length;
          break;
        case "v": {
          let value: string;
          if (j + 1 < arg.length) value = arg.slice(j + 1);
          else if (i + 1 < argv.length) value = argv[++i]!;
          else return bad("v");
          // Upstream exits 1 silently unless the value starts with a digit.
          if (!/^[0-9]/.test(value)) return { mode: "error", stderr: "", exitCode: 1 };
          verbosity = Number.parseInt(value, 10);
          j = arg.length;
          break;
        }
        default:
          return bad(c);
      }
    }
  }

  if (optK || words.length > 0) {
    if (optK && optKArg === null) return { mode: "interactive", verbosity };
    if (optK) return { mode: "client", command: optKArg!, verbosity };
    const joined = joinClientCommand(words);
    if (!joined.ok) return { mode: "error", stderr: joined.stderr, exitCode: 1 };
    return { mode: "client", command: joined.command, verbosity };
  }
  return {
    mode: "daemon",
    foreground,
    verbosity,
    logToStderrWithoutTime: stderrNoTime,
    bindingsReadOnly,
    pollDmevents,
  };
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * The command line the client builds from its words: each word followed by a space, words with a
 * space wrapped in double quotes, then `\n` — `multipathd show foo` sends `show foo \n`. Over
 * {@link CLIENT_CMDSIZE} bytes it refuses; when the words fill the buffer exactly but for one byte
 * the `\n` is cut off, as `snprintf` does.
 */
export function joinClientCommand(
  words: readonly string[],
): { readonly ok: true; readonly command: string } | { readonly ok: false; readonly stderr: string } {
  let cmd = "";
  let used = 0;
  for (const w of words) {
    const piece = w.includes(" ") ? `"${w}" ` : `${w} `;
    cmd += piece;
    used += utf8Length(piece);
    if (used >= CLIENT_CMDSIZE) return { ok: false, stderr: "multipathd command too large\n" };
  }
  if (used + 1 < CLIENT_CMDSIZE) cmd += "\n";
  return { ok: true, command: cmd };
}

/** What happened to a request, as the client library reports it. */
export type ClientOutcome =
  /** A reply arrived (C string: cut at its first NUL). */
  | { readonly kind: "reply"; readonly text: string }
  /** Could not connect to the daemon. */
  | { readonly kind: "connect-failed" }
  /** The command could not be sent. */
  | { readonly kind: "send-failed" }
  /** No reply within the timeout (`uxsock_timeout` + 100 ms). */
  | { readonly kind: "timeout" }
  /** Receiving failed with `errno` (positive: 5 EIO for a closed connection, 104 ECONNRESET, 34 ERANGE). */
  | { readonly kind: "receive-error"; readonly errno: number };

/**
 * `uxclnt()`/`process_req()`: what the client prints and its exit status. Exit status 1 when
 * the reply is exactly `fail\n` or nothing usable came back; 0 otherwise (help text, `ok`,
 * `permission deny...`, `timeout`).
 */
export function renderClientOutcome(o: ClientOutcome): { readonly stdout: string; readonly exitCode: 0 | 1 } {
  switch (o.kind) {
    case "reply": {
      const nul = o.text.indexOf("\0");
      const text = nul >= 0 ? o.text.slice(0, nul) : o.text;
      return { stdout: text, exitCode: text === "fail\n" ? 1 : 0 };
    }
    case "connect-failed":
      return { stdout: "", exitCode: 1 };
    case "send-failed":
      return { stdout: "cannot send packet\n", exitCode: 1 };
    case "timeout":
      return { stdout: "timeout receiving packet\n", exitCode: 1 };
    case "receive-error":
      return { stdout: `error ${-o.errno} receiving packet\n`, exitCode: 1 };
    default: {
      const never: never = o;
      return never;
    }
  }
}

/**
 * Runs the client end to end: `send` delivers the line and reports the outcome. Returns what to
 * print on stdout/stderr and the exit status; `null` for invocations that are not client runs
 * (`daemon`, `interactive`).
 */
export async function runMultipathdClient(
  argv: readonly string[],
  send: (command: string) => Promise<ClientOutcome>,
): Promise<{ readonly stdout: string; readonly stderr: string; readonly exitCode: number } | null> {
  const inv = parseMultipathdArgs(argv);
  switch (inv.mode) {
    case "error":
      return { stdout: "", stderr: inv.stderr, exitCode: inv.exitCode };
    case "client": {
      const r = renderClientOutcome(await send(inv.command));
      return { stdout: r.stdout, stderr: "", exitCode: r.exitCode };
    }
    default:
      return null;
  }
}
