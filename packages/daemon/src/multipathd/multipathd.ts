/**
 * `createMultipathd`: the composition root of a multipathd instance over a host — the daemon
 * core, its CLI handlers (show, map-state and effect handlers merged), the command dispatcher
 * under the daemon's lock, and an in-process client that behaves like the `multipathd` program
 * talking to the socket (connect latency, waiting for the initial configuration, reply timeout).
 */
import { NSEC_PER_MSEC, NSEC_PER_USEC } from "@mp/dm-core";
import { type ClientOutcome, runMultipathdClient } from "../cli/client.js";
import { createDispatcher, type Dispatcher } from "../cli/dispatch.js";
import { type CommandHandlers, createMapStateHandlers, createShowHandlers } from "../cli/handlers.js";
import { cpuCosts, spendCpu } from "../libmultipath/cpu.js";
import type { EventHub } from "../libmultipath/events.js";
import type { LogRing } from "../libmultipath/log.js";
import type { MpMap, MpPath } from "../libmultipath/structs.js";
import type { DaemonRunState } from "../print/status.js";
import { createEffectHandlers, createShowSource } from "./cli-handlers.js";
import { MultipathDaemon, type MultipathDaemonOptions } from "./main.js";

/** Options of {@link createMultipathd}. */
export interface CreateMultipathdOptions extends MultipathDaemonOptions {
  /**
   * Virtual time from a request leaving the client library to the daemon reading it
   * (default 100 µs). The client program's start and exit cost `cpu.processStart` and
   * `cpu.processExit` on top.
   */
  readonly clientLatencyNs?: number;
}

/** A running (or startable) multipathd. */
export interface Multipathd {
  /** The daemon core: path and map lists, state, journal. */
  readonly daemon: MultipathDaemon;
  /** Starts the daemon; resolves once it answers commands (or has given up). */
  start(): Promise<void>;
  /** Shuts it down (as `multipathd shutdown`); resolves with its exit status. */
  stop(): Promise<number>;
  /** Resolves with the exit status once the daemon has exited. */
  readonly exited: Promise<number>;
  /** Runs one command line as the socket listener would (for a root peer unless told otherwise). */
  readonly dispatch: Dispatcher;
  /** The handlers, for a socket server or tests. */
  readonly handlers: CommandHandlers;
  /**
   * The `multipathd` program as a client (`multipathd show maps`, `multipathd -k'show maps'`):
   * its output and exit status. Null for invocations that are not client runs.
   */
  client(
    argv: readonly string[],
  ): Promise<{ readonly stdout: string; readonly stderr: string; readonly exitCode: number } | null>;
  /** One command's reply as the client library sees it. */
  request(command: string): Promise<ClientOutcome>;
  /** The typed event stream. */
  readonly events: EventHub;
  /** The daemon's log (syslog in the model). */
  readonly journal: LogRing;
  /** Convenience views. */
  paths(): readonly MpPath[];
  maps(): readonly MpMap[];
  state(): DaemonRunState;
}

/** Builds a multipathd over `host`; call {@link Multipathd.start} to run it. */
export function createMultipathd(opts: CreateMultipathdOptions): Multipathd {
  const d = new MultipathDaemon(opts);
  const source = createShowSource(d);
  const handlers: CommandHandlers = {
    ...createShowHandlers(source),
    ...createMapStateHandlers(source),
    ...createEffectHandlers(d),
  };
  const dispatch = createDispatcher({
    handlers,
    lock: d.lock,
    onHandlerError: (err, cmd) =>
      d.log.log(
        0,
        `uxsock: handler for '${cmd.kind}' failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
  });
  const clock = d.clock;
  const latency = opts.clientLatencyNs ?? 100 * NSEC_PER_USEC;
  const wait = (ns: number) => new Promise<void>((resolve) => clock.schedule(ns, resolve, undefined));

  const request = async (command: string): Promise<ClientOutcome> => {
    await wait(latency);
    if (d.daemonState() === "shutdown" || d.daemonState() === "init") return { kind: "connect-failed" };
    const timeoutMs = (d.ctx?.config.uxsockTimeout ?? 4000) + 100;
    let timedOut = false;
    let timer = 0;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = clock.schedule(
        timeoutMs * NSEC_PER_MSEC,
        () => {
          timedOut = true;
          resolve("timeout");
        },
        undefined,
      );
    });
    const reply = (async (): Promise<string | null> => {
      while (!d.listening) {
        if (d.daemonState() === "shutdown") return null;
        await wait(10 * NSEC_PER_USEC * 100);
        if (timedOut) return null;
      }
      await spendCpu(clock, d.ctx.cpu.cliRequest);
      return dispatch(
        command,
        { isRoot: true },
        {
          get aborted() {
            return timedOut;
          },
        },
      );
    })();
    const r = await Promise.race([reply, deadline]);
    clock.cancel(timer);
    if (r === "timeout") return { kind: "timeout" };
    if (r === null) return { kind: "receive-error", errno: 5 };
    return { kind: "reply", text: r };
  };

  return {
    daemon: d,
    start: () => d.start(),
    stop: () => d.stop(),
    exited: d.exited,
    dispatch,
    handlers,
    client: async (argv) => {
      const cpu = cpuCosts(opts.cpu);
      await spendCpu(clock, cpu.processStart);
      const r = await runMultipathdClient(argv, request);
      await spendCpu(clock, cpu.processExit);
      return r;
    },
    request,
    events: d.events,
    journal: d.journal,
    paths: () => d.vecs.pathvec,
    maps: () => d.vecs.mpvec,
    state: () => d.daemonState(),
  };
}
