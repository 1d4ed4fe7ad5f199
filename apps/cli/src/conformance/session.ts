import { advanceAsync, LogLevel, NSEC_PER_SEC, settle, strerror } from "@mp/dm-core";
import type {
  CommandContext,
  CommandResult,
  DirectiveContext,
  DirectiveHandler,
  Missing,
  PluggableDirective,
  ScenarioMachine,
} from "../machine/machine.js";
import { MissingCapability, ScenarioAbort } from "../machine/machine.js";
import { CapturedOutput } from "../machine/process-io.js";
import type { ScnNode } from "./ast.js";
import { formatScnError } from "./ast.js";
import { expectedProvider } from "./capabilities.js";
import { grepE } from "./ere.js";

/** The guest's limit on a `$`/`@until` command (`timeout 120`). */
export const COMMAND_LIMIT_NS = 120 * NSEC_PER_SEC;
/** The guest's limit on a background command (`timeout 300`). */
export const BG_LIMIT_NS = 300 * NSEC_PER_SEC;
/** Status of a command killed by `timeout`. */
export const TIMEOUT_RC = 124;

/** Kernel lines `@dmesg` keeps, and the module banners it drops. */
const DMESG_KEEP = /device-mapper:|I\/O error/;
const DMESG_DROP = /version [0-9.]+ loaded|uevent: version|ioctl: [0-9.]+-ioctl|core: CONFIG_/;

/** The kernel log filter of `@dmesg`. */
export function keepDmesgLine(text: string): boolean {
  return DMESG_KEEP.test(text) && !DMESG_DROP.test(text);
}

/** A command's output as the transcript prints it: as is, plus a final newline when missing. */
export function catOut(out: string): string {
  if (out === "") return "";
  return out.endsWith("\n") ? out : `${out}\n`;
}

interface BgJob {
  readonly name: string;
  readonly io: CapturedOutput;
  readonly promise: Promise<number>;
  readonly startNs: number;
  done: boolean;
  rc: number;
}

/** How a directive ended. */
export type StepResult =
  | { readonly kind: "ok" }
  | { readonly kind: "missing"; readonly line: number; readonly missing: Missing }
  | { readonly kind: "error"; readonly line: number; readonly message: string };

/**
 * One scenario's state on one machine: the transcript so far, background jobs and the `@dmesg`
 * mark. Directives run one at a time ({@link ScenarioSession.step}); `mp conformance` runs a whole
 * file, `mp shell` one typed line at a time.
 */
export class ScenarioSession {
  readonly machine: ScenarioMachine;
  #out = "";
  readonly #jobs = new Map<string, BgJob>();
  #dmesgCursor: number;

  constructor(machine: ScenarioMachine) {
    this.machine = machine;
    // Everything logged before the scenario's first line (boot) is discarded.
    this.#dmesgCursor = machine.services.kernel?.log.cursor() ?? 0;
  }

  /** The transcript so far. */
  get transcript(): string {
    return this.#out;
  }

  /** Returns the transcript written since the last call and forgets it (for `mp shell`). */
  takeOutput(): string {
    const s = this.#out;
    this.#out = "";
    return s;
  }

  #print(s: string): void {
    this.#out += s;
  }

  /** Advances virtual time by `ns`, letting async work (daemons, tools) run. */
  async advance(ns: number): Promise<void> {
    await advanceAsync(this.machine.clock, ns);
  }

  #context(io: CapturedOutput): CommandContext {
    const clock = this.machine.clock;
    return {
      io,
      machine: this.machine,
      stdin: "",
      sleep: (ns: number) =>
        new Promise<void>((resolve) => {
          clock.schedule(ns, resolve, undefined);
        }),
    };
  }

  /** Starts a command; the promise gives its exit status once it ends. */
  #start(argv: readonly string[], io: CapturedOutput): Promise<number> {
    const spec = this.machine.commands.get(argv[0]!);
    if (!spec)
      throw new MissingCapability({ what: argv[0]!, provider: expectedProvider("command", argv[0]!) });
    const ctx = this.#context(io);
    return Promise.resolve()
      .then(() => spec.run(argv, ctx))
      .then(
        (rc) => rc & 255,
        (err: unknown) => {
          if (err instanceof MissingCapability) throw err;
          // A bug in a tool model must not take the runner down: report it as the tool's failure.
          const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
          io.stderr(`${argv[0]}: internal error in the mp model: ${msg}\n`);
          return 70;
        },
      );
  }

  /** Runs a command to completion (or its time limit), driving the clock meanwhile. */
  async runCommand(argv: readonly string[], limitNs = COMMAND_LIMIT_NS): Promise<CommandResult> {
    const io = new CapturedOutput();
    const r = await settle(this.machine.clock, this.#start(argv, io), limitNs);
    // Work the command left due now (workqueue items, event triggers) runs before the next
    // process starts, as it would while a real shell forks the next command.
    await this.advance(0);
    if (!r.settled) {
      return {
        output: io.killed(),
        stdout: io.stdoutText,
        stderr: io.stderrText,
        rc: TIMEOUT_RC,
        timedOut: true,
      };
    }
    return {
      output: io.finish(),
      stdout: io.stdoutText,
      stderr: io.stderrText,
      rc: r.value,
      timedOut: false,
    };
  }

  #directiveContext(): DirectiveContext {
    return {
      machine: this.machine,
      advance: (ns) => this.advance(ns),
      run: (argv) => this.runCommand(argv),
    };
  }

  #dmesgTake(): string[] {
    const log = this.machine.services.kernel?.log;
    if (!log) return [];
    const lines = log.since(this.#dmesgCursor);
    this.#dmesgCursor = log.cursor();
    return lines.filter((l) => l.level !== LogLevel.DEBUG && keepDmesgLine(l.text)).map((l) => l.text);
  }

  /** Marks the current end of the kernel log: later `@dmesg`s show only what comes after. */
  dmesgClear(): void {
    this.#dmesgTake();
  }

  async #plugged<K extends PluggableDirective>(
    kind: K,
    node: Extract<ScnNode, { kind: K }>,
  ): Promise<string> {
    const h = this.machine.directives.get(kind) as DirectiveHandler<K> | undefined;
    if (!h) throw new MissingCapability({ what: `@${kind}`, provider: expectedProvider("directive", kind) });
    return h.run(node, this.#directiveContext());
  }

  /** Runs one directive. A scenario error (static or at run time) stops the scenario. */
  async step(node: ScnNode): Promise<StepResult> {
    try {
      await this.#step(node);
      return { kind: "ok" };
    } catch (e) {
      if (e instanceof MissingCapability) return { kind: "missing", line: node.line, missing: e.missing };
      if (e instanceof ScenarioAbort) {
        this.#print(`${formatScnError(node.line, e.message)}\n`);
        return { kind: "error", line: node.line, message: e.message };
      }
      throw e;
    }
  }

  async #step(node: ScnNode): Promise<void> {
    switch (node.kind) {
      case "error":
        throw new ScenarioAbort(node.message);
      case "section":
        this.#print(`\n########## ${node.title}\n`);
        return;
      case "echo":
        this.#print(`${node.text}\n`);
        return;
      case "mask":
        return;
      case "run": {
        this.#print(`$ ${node.command.raw}\n`);
        const r = await this.runCommand(node.command.words);
        this.#print(catOut(r.output));
        this.#print(`[rc=${r.rc}]\n`);
        return;
      }
      case "sleep":
        await this.advance(node.secs.ns);
        return;
      case "until": {
        const clock = this.machine.clock;
        // The lab compares whole seconds of `date +%s`.
        const end = Math.floor(clock.now() / NSEC_PER_SEC) + Math.floor(node.secs.ns / NSEC_PER_SEC);
        for (;;) {
          const r = await this.runCommand(node.command.words);
          if (grepE(node.regex, r.output)) return;
          if (Math.floor(clock.now() / NSEC_PER_SEC) >= end) break;
          await this.advance(NSEC_PER_SEC);
        }
        this.#print(`[until timed out: ${node.command.raw}]\n`);
        return;
      }
      case "bg": {
        if (this.#jobs.has(node.name)) throw new ScenarioAbort(`@bg: ${node.name} already running`);
        const io = new CapturedOutput();
        const job: BgJob = {
          name: node.name,
          io,
          promise: this.#start(node.command.words, io),
          startNs: this.machine.clock.now(),
          done: false,
          rc: 0,
        };
        job.promise.then((rc) => {
          job.done = true;
          job.rc = rc;
        });
        this.#jobs.set(node.name, job);
        await this.advance(NSEC_PER_SEC / 2);
        return;
      }
      case "wait": {
        const job = this.#jobs.get(node.name);
        if (!job) throw new ScenarioAbort(`@wait: no background command ${node.name}`);
        this.#jobs.delete(node.name);
        let output: string;
        let rc: number;
        if (job.done) {
          output = job.io.finish();
          rc = job.rc;
        } else {
          const left = Math.max(0, job.startNs + BG_LIMIT_NS - this.machine.clock.now());
          const r = await settle(this.machine.clock, job.promise, left);
          if (r.settled) {
            output = job.io.finish();
            rc = r.value;
          } else {
            output = job.io.killed();
            rc = TIMEOUT_RC;
          }
        }
        this.#print(`[bg ${node.name}]\n${catOut(output)}[rc=${rc}]\n`);
        return;
      }
      case "dmesg": {
        const lines = this.#dmesgTake();
        if (lines.length === 0) this.#print("(dmesg: nothing new)\n");
        else this.#print(lines.map((l) => `dmesg: ${l}\n`).join(""));
        return;
      }
      case "dmesg-clear":
        this.#dmesgTake();
        return;
      case "multipathd": {
        const r = await this.runCommand(["multipathd", ...node.args]);
        if (r.rc !== 0) {
          this.#print(`${catOut(r.output)}[multipathd failed to start: rc=${r.rc}]\n`);
          return;
        }
        for (let i = 0; i < 150; i++) {
          const probe = await this.runCommand(["multipathd", "show", "daemon"]);
          if (probe.rc === 0) return;
          await this.advance(NSEC_PER_SEC / 5);
        }
        this.#print("[multipathd did not answer on its socket]\n");
        return;
      }
      case "idle": {
        const clock = this.machine.clock;
        const end = Math.floor(clock.now() / NSEC_PER_SEC) + Math.floor(node.secs.ns / NSEC_PER_SEC);
        for (;;) {
          const r = await this.runCommand(["multipathd", "show", "daemon"]);
          if (r.stdout.includes("idle")) return;
          if (Math.floor(clock.now() / NSEC_PER_SEC) >= end) break;
          await this.advance(NSEC_PER_SEC / 5);
        }
        this.#print("[idle timed out]\n");
        return;
      }
      case "loop":
      case "modprobe":
      case "udev":
      case "config":
      case "write":
        this.#print(await this.#plugged(node.kind, node as never));
        return;
      default: {
        const never: never = node;
        throw new Error(`unhandled directive ${(never as ScnNode).kind}`);
      }
    }
  }
}

/** `write error: STRERROR` as the lab prints a failed `@write`. */
export function writeErrorLine(errno: number): string {
  return `write error: ${strerror(errno)}\n`;
}
