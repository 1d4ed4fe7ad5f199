/**
 * What multipathd does with one received command (multipathd/uxlsnr.c `parse_cmd`, the
 * permission check, `execute_handler`, `default_reply`): parse, refuse non-root peers anything but
 * `list`/`show`, take the state lock for locked handlers, run the handler, and turn its result
 * into the reply text.
 */
import type { Command } from "./commands.js";
import type { CommandHandlers, HandlerResult } from "./handlers.js";
import { genhelp } from "./help.js";
import { KeyCode } from "./keywords.js";
import { type CliParseError, parseCommand } from "./parse.js";

/** The replies multipathd composes itself (`default_reply`). */
export const Reply = {
  OK: "ok\n",
  FAIL: "fail\n",
  TIMEOUT: "timeout\n",
  PERMISSION_DENIED: "permission deny: need to be root\n",
} as const;

/** Releases a lock taken with {@link StateLock.acquire}. */
export type ReleaseLock = () => void;

/** The daemon's state lock (`vecs->lock`), taken around locked handlers. */
export interface StateLock {
  acquire(): Promise<ReleaseLock> | ReleaseLock;
}

/** Set by the socket layer when the client's `uxsock_timeout` expired (the reply is then `timeout`). */
export interface DispatchSignal {
  readonly aborted: boolean;
}

/** Everything {@link dispatchCommand} needs. */
export interface DispatchContext {
  /** The peer is root (uid 0); others may only run `list`/`show` commands. */
  readonly isRoot: boolean;
  readonly handlers: CommandHandlers;
  /** Taken around handlers marked locked; none: run directly. */
  readonly lock?: StateLock;
  /** When aborted while waiting for the lock, the handler does not run and the reply is `timeout`. */
  readonly signal?: DispatchSignal;
  /** Called when a handler throws (a bug): the reply is then `fail`. */
  readonly onHandlerError?: (error: unknown, command: Command) => void;
}

/** The reply to a command line that did not parse. */
export function parseErrorReply(cmd: string, error: CliParseError): string {
  // ENOENT is not one of the parser codes default_reply() turns into help: it falls to "fail".
  return error.errno === "ENOENT" ? Reply.FAIL : genhelp(cmd, error.errno);
}

/** `default_reply()` for a handler's result. */
export function handlerReply(r: HandlerResult): string {
  if (r.output !== undefined && r.output.length > 0) return r.output;
  return r.ok ? Reply.OK : Reply.FAIL;
}

/** Runs one received command and returns the reply text (never throws). */
export async function dispatchCommand(received: string, ctx: DispatchContext): Promise<string> {
  // The daemon sees a C string: anything after a NUL is not part of the command.
  const nul = received.indexOf("\0");
  const cmd = nul >= 0 ? received.slice(0, nul) : received;
  const parsed = parseCommand(cmd);
  if (!parsed.ok) return parseErrorReply(cmd, parsed.error);
  if (!ctx.isRoot && parsed.keys[0]?.keyword.code !== KeyCode.LIST) return Reply.PERMISSION_DENIED;
  const { command, spec } = parsed;
  let release: ReleaseLock | null = null;
  try {
    if (spec.locked && ctx.lock !== undefined) release = await ctx.lock.acquire();
    if (ctx.signal?.aborted) return Reply.TIMEOUT;
    const handler = ctx.handlers[command.kind] as (c: Command) => HandlerResult | Promise<HandlerResult>;
    return handlerReply(await handler(command));
  } catch (e) {
    ctx.onHandlerError?.(e, command);
    return Reply.FAIL;
  } finally {
    release?.();
  }
}

/** A command runner bound to one daemon: what the socket listener (or an in-process client) calls. */
export type Dispatcher = (
  command: string,
  peer: { readonly isRoot: boolean },
  signal?: DispatchSignal,
) => Promise<string>;

/**
 * Binds {@link dispatchCommand} to a daemon's handlers and lock. The result fits
 * `UxServerOptions.dispatch`; an in-process client can call it with `{ isRoot: true }`.
 */
export function createDispatcher(opts: Omit<DispatchContext, "isRoot" | "signal">): Dispatcher {
  return (command, peer, signal) =>
    dispatchCommand(command, { ...opts, isRoot: peer.isRoot, ...(signal === undefined ? {} : { signal }) });
}
