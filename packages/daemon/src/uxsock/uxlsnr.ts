/**
 * multipathd's socket listener (multipathd/uxlsnr.c): per client, read a length word, then the
 * command, dispatch it, send the reply, and wait for the next command on the same connection.
 *
 * - A length of 0 or over 512 drops the connection without a reply (upstream: ECONNRESET).
 * - The client has `uxsock_timeout` (4000 ms) from its length word to the end of its command's
 *   processing; past it the reply is `timeout\n` (the handler does not run if it was still
 *   waiting for the state lock). Time comes from the injected `Clock`.
 * - Non-root peers may only run `list`/`show` commands. Node has no SO_PEERCRED, so who the peer
 *   is comes from a {@link PeerCredentialsProvider} (see there).
 * - Garbage, short reads, disconnects and handler exceptions never take the server down.
 *
 * The protocol logic is {@link UxClientSession}, independent of sockets; {@link UxServer} runs it
 * over `node:net` (the one place in the daemon that does socket I/O).
 */
import type { Buffer } from "node:buffer";
import { createServer, type Server, type Socket } from "node:net";
import { type Clock, NSEC_PER_MSEC } from "@mp/dm-core";
import type { DispatchSignal } from "../cli/dispatch.js";
import {
  acceptCommandLength,
  bodyToString,
  DEFAULT_UXSOCK_TIMEOUT_MS,
  type Endianness,
  encodeFrame,
  FrameReader,
  nativeEndianness,
} from "./framing.js";

/** The peer of a connection, as SO_PEERCRED would report it. */
export interface PeerCredentials {
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
}

/**
 * Tells who is on the other end of an accepted socket; null means unknown (treated as non-root,
 * as upstream treats a failing `getsockopt`). Node exposes no peer credentials, so the choice is
 * the embedder's: {@link fixedPeerCredentials} for a simulator whose clients are all the
 * simulated root (or all a given user), a lookup table in tests, or a native addon on a real host.
 */
export type PeerCredentialsProvider = (
  socket: Socket,
) => PeerCredentials | null | Promise<PeerCredentials | null>;

/** Every peer gets the same credentials (e.g. `{ uid: 0 }` for a simulator's own clients). */
export function fixedPeerCredentials(creds: PeerCredentials): PeerCredentialsProvider {
  return () => creds;
}

/** What the listener knows about a client when it dispatches a command. */
export interface UxClientInfo {
  /** Connection number, for logs. */
  readonly id: number;
  readonly credentials: PeerCredentials | null;
  /** uid 0. */
  readonly isRoot: boolean;
}

/** Runs one command and returns the reply (the CLI's `dispatchCommand`, bound to the daemon). */
export type UxDispatch = (command: string, client: UxClientInfo, signal: DispatchSignal) => Promise<string>;

/** A listener log line (upstream's condlog messages, e.g. an invalid command length). */
export type UxLog = (level: number, message: string) => void;

/** Options shared by {@link UxClientSession} and {@link UxServer}. */
export interface UxListenerOptions {
  readonly dispatch: UxDispatch;
  readonly clock: Clock;
  /** uxsock_timeout in ms (default 4000). */
  readonly uxsockTimeoutMs?: number;
  readonly endianness?: Endianness;
  readonly log?: UxLog;
}

/** The transport under a session. */
export interface UxTransport {
  write(bytes: Buffer): void;
  /** Close the connection (upstream: `dead_client`). */
  destroy(): void;
}

type SessionState = "recv" | "work" | "closed";

/**
 * One client connection's protocol state (upstream's `struct client` and its state machine),
 * fed with received bytes.
 */
export class UxClientSession {
  readonly #opts: UxListenerOptions;
  readonly #transport: UxTransport;
  readonly #info: UxClientInfo;
  readonly #reader: FrameReader;
  #state: SessionState = "recv";
  #timer: number | null = null;
  #signal: { aborted: boolean } | null = null;

  constructor(opts: UxListenerOptions, transport: UxTransport, info: UxClientInfo) {
    this.#opts = opts;
    this.#transport = transport;
    this.#info = info;
    this.#reader = new FrameReader(acceptCommandLength, opts.endianness ?? nativeEndianness());
  }

  /** The client this session serves. */
  get client(): UxClientInfo {
    return this.#info;
  }

  /** True once the connection was dropped or closed. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** Bytes arrived from the client. */
  receive(chunk: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#reader.push(chunk);
    this.#pump();
  }

  /** The peer went away (or the server closes): stop timers, forget pending work. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#cancelTimer();
    if (this.#signal !== null) this.#signal.aborted = true;
    this.#reader.reset();
  }

  #pump(): void {
    while (this.#state === "recv") {
      const hadLength = this.#reader.inFrame;
      const len = this.#reader.readLength();
      if (len === null) return;
      if (!len.ok) {
        this.#opts.log?.(1, `cli[${this.#info.id}]: invalid command length (${len.length} bytes)`);
        this.#drop();
        return;
      }
      // The client's time starts when its length word is read.
      if (!hadLength) this.#startTimer();
      const ev = this.#reader.next();
      if (ev.kind !== "frame") return;
      this.#run(bodyToString(ev.body));
    }
  }

  #run(command: string): void {
    this.#state = "work";
    const signal = { aborted: false };
    this.#signal = signal;
    let reply: Promise<string>;
    try {
      reply = this.#opts.dispatch(command, this.#info, signal);
    } catch {
      reply = Promise.resolve("fail\n");
    }
    reply.then(
      (text) => this.#finish(signal, text),
      () => this.#finish(signal, "fail\n"),
    );
  }

  #finish(signal: { aborted: boolean }, text: string): void {
    if (signal.aborted || this.#state !== "work" || this.#signal !== signal) return;
    this.#send(text);
  }

  #send(text: string): void {
    this.#cancelTimer();
    this.#signal = null;
    this.#state = "recv";
    try {
      this.#transport.write(encodeFrame(text, this.#opts.endianness ?? nativeEndianness()));
    } catch {
      this.#drop();
      return;
    }
    this.#pump();
  }

  #startTimer(): void {
    this.#cancelTimer();
    const ms = this.#opts.uxsockTimeoutMs ?? DEFAULT_UXSOCK_TIMEOUT_MS;
    this.#timer = this.#opts.clock.schedule(ms * NSEC_PER_MSEC, UxClientSession.#onTimeout, this);
  }

  static #onTimeout(self: UxClientSession): void {
    self.#timer = null;
    if (self.#state === "closed") return;
    self.#opts.log?.(2, `cli[${self.#info.id}]: timed out`);
    if (self.#signal !== null) self.#signal.aborted = true;
    // Whatever part of the command had arrived is gone; later bytes start a new frame.
    self.#reader.reset();
    self.#send("timeout\n");
  }

  #cancelTimer(): void {
    if (this.#timer !== null) {
      this.#opts.clock.cancel(this.#timer);
      this.#timer = null;
    }
  }

  #drop(): void {
    this.close();
    try {
      this.#transport.destroy();
    } catch {
      // Already gone.
    }
  }
}

/** Where the listener binds: an abstract name (Linux only; `DEFAULT_SOCKET`) or a filesystem path. */
export type UxAddress = { readonly abstract: string } | { readonly path: string };

/** The address string `node:net` expects (`\0name` for an abstract socket). */
export function netAddress(address: UxAddress): string {
  return "abstract" in address ? `\0${address.abstract}` : address.path;
}

/** Options of {@link UxServer}. */
export interface UxServerOptions extends UxListenerOptions {
  /** Who the peer is; default: unknown (every client is non-root). */
  readonly peerCredentials?: PeerCredentialsProvider;
}

/** The listener over `node:net`. */
export class UxServer {
  readonly #opts: UxServerOptions;
  readonly #servers: Server[] = [];
  readonly #sessions = new Set<UxClientSession>();
  readonly #sockets = new Set<Socket>();
  #nextId = 1;

  constructor(opts: UxServerOptions) {
    this.#opts = opts;
  }

  /** Number of connected clients. */
  get clientCount(): number {
    return this.#sessions.size;
  }

  /** Starts listening on `address` (may be called once per address: abstract and/or path). */
  listen(address: UxAddress): Promise<void> {
    const server = createServer({ allowHalfOpen: false }, (socket) => this.#accept(socket));
    server.on("error", (e) => this.#opts.log?.(0, `uxsock: ${String(e)}`));
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once("error", onError);
      server.listen(netAddress(address), () => {
        server.off("error", onError);
        resolve();
      });
    });
  }

  /** Stops listening and drops every client. */
  async close(): Promise<void> {
    for (const s of this.#sessions) s.close();
    this.#sessions.clear();
    for (const sock of this.#sockets) sock.destroy();
    this.#sockets.clear();
    await Promise.all(this.#servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
    this.#servers.length = 0;
  }

  #accept(socket: Socket): void {
    const id = this.#nextId++;
    this.#sockets.add(socket);
    const pending: Buffer[] = [];
    let session: UxClientSession | null = null;
    let gone = false;
    socket.on("data", (chunk: Buffer) => {
      if (session !== null) session.receive(chunk);
      else pending.push(chunk);
    });
    const cleanup = () => {
      gone = true;
      this.#sockets.delete(socket);
      if (session !== null) {
        session.close();
        this.#sessions.delete(session);
      }
    };
    socket.on("error", () => cleanup());
    socket.on("close", () => cleanup());
    const start = (credentials: PeerCredentials | null) => {
      if (gone) return;
      const info: UxClientInfo = { id, credentials, isRoot: credentials !== null && credentials.uid === 0 };
      session = new UxClientSession(
        this.#opts,
        {
          write: (bytes) => {
            if (!socket.destroyed) socket.write(bytes);
          },
          destroy: () => socket.destroy(),
        },
        info,
      );
      this.#sessions.add(session);
      for (const chunk of pending.splice(0)) session.receive(chunk);
    };
    let creds: PeerCredentials | null | Promise<PeerCredentials | null>;
    try {
      creds = this.#opts.peerCredentials?.(socket) ?? null;
    } catch {
      creds = null;
    }
    if (creds instanceof Promise) creds.then(start, () => start(null));
    else start(creds);
  }
}
