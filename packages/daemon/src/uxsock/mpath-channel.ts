/**
 * How a client reaches multipathd: a socket connection (`mpath_connect()` and friends over
 * `node:net`), or, for a real multipathd this Node's sockets cannot reach, multipathd's own
 * client binary (multipathd-client.ts).
 */
import type { ClientOutcome } from "../cli/client.js";
import { DEFAULT_SOCKET, DEFAULT_UXSOCK_TIMEOUT_MS } from "./framing.js";
import { DEFAULT_ADDRESS, MpathConnection, type MpathConnectionOptions } from "./mpath-cmd.js";
import { findMultipathdClient, MultipathdClientChannel, nodePadsAbstractNames } from "./multipathd-client.js";
import type { UxAddress } from "./uxlsnr.js";

/** One way of asking multipathd: a socket connection, or multipathd's own client. */
export interface MpathChannel {
  /** How the daemon is reached (`socket`, or the client binary's path). */
  readonly via: string;
  /** Sends `command` and waits up to `timeoutMs` for the reply. */
  process(command: string, timeoutMs?: number): Promise<ClientOutcome>;
  /** Drops the connection (or kills a client still running). */
  close(): void;
}

/** A socket connection as a channel. */
class SocketChannel implements MpathChannel {
  readonly via = "socket";
  readonly #conn: MpathConnection;

  constructor(conn: MpathConnection) {
    this.#conn = conn;
  }

  process(command: string, timeoutMs?: number): Promise<ClientOutcome> {
    return this.#conn.process(command, timeoutMs);
  }

  close(): void {
    this.#conn.close();
  }
}

/** Options of {@link openMpathChannel}. */
export interface OpenChannelOptions extends MpathConnectionOptions {
  /** multipathd's client binary; null for none; default: found on `$PATH` or in /usr/sbin, /sbin. */
  readonly clientBinary?: string | null;
  /** libuv's version (default: this Node's), which decides whether sockets can reach the daemon. */
  readonly uvVersion?: string;
  /** Ask `show daemon` through the client before answering (default true). */
  readonly probe?: boolean;
}

/**
 * `mpath_connect()` as far as this Node can: the socket when something answers on it; else, for
 * multipathd's own abstract name on a Node whose abstract names cannot meet C programs', the
 * host's multipathd client when a daemon answers through it. Null when nothing answers.
 */
export async function openMpathChannel(
  address: UxAddress,
  opts: OpenChannelOptions,
): Promise<MpathChannel | null> {
  const conn = await MpathConnection.open(address, opts);
  if (conn !== null) return new SocketChannel(conn);
  if (!("abstract" in address) || address.abstract !== DEFAULT_SOCKET) return null;
  if (process.platform !== "linux" || !nodePadsAbstractNames(opts.uvVersion)) return null;
  const binary = opts.clientBinary === undefined ? findMultipathdClient() : opts.clientBinary;
  if (binary === null) return null;
  const channel = new MultipathdClientChannel(binary, opts.clock);
  if (opts.probe === false) return channel;
  const probe = await channel.process("show daemon", 1000);
  if (probe.kind === "reply") return channel;
  channel.close();
  return null;
}

/**
 * What `multipathd CMD` does on the wire: connect, send, wait `uxsock_timeout + 100` ms for the
 * reply, disconnect. A real multipathd that this Node's sockets cannot reach is asked through
 * its own client (see {@link openMpathChannel}).
 */
export async function multipathdRequest(
  command: string,
  opts: MpathConnectionOptions & { readonly address?: UxAddress; readonly uxsockTimeoutMs?: number },
): Promise<ClientOutcome> {
  const conn = await openMpathChannel(opts.address ?? DEFAULT_ADDRESS, { ...opts, probe: false });
  if (conn === null) return { kind: "connect-failed" };
  try {
    return await conn.process(command, (opts.uxsockTimeoutMs ?? DEFAULT_UXSOCK_TIMEOUT_MS) + 100);
  } finally {
    conn.close();
  }
}
