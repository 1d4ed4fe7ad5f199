/**
 * The client side of the socket (libmpathcmd: `mpath_connect`, `mpath_send_cmd`,
 * `mpath_recv_reply`, `mpath_process_cmd`) over `node:net`, reporting outcomes the way
 * multipathd's client needs them (see `renderClientOutcome`).
 */
import type { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import { type Clock, NSEC_PER_MSEC } from "@mp/dm-core";
import type { ClientOutcome } from "../cli/client.js";
import {
  acceptReplyLength,
  bodyToString,
  DEFAULT_SOCKET,
  DEFAULT_UXSOCK_TIMEOUT_MS,
  type Endianness,
  encodeFrame,
  FrameReader,
  nativeEndianness,
} from "./framing.js";
import { netAddress, type UxAddress } from "./uxlsnr.js";

/** errno values the client reports (as positive numbers). */
export const ClientErrno = {
  EIO: 5,
  ERANGE: 34,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
} as const;

/** The daemon's default address. */
export const DEFAULT_ADDRESS: UxAddress = { abstract: DEFAULT_SOCKET };

/** Options of {@link MpathConnection}. */
export interface MpathConnectionOptions {
  /** Timer source for receive timeouts. */
  readonly clock: Clock;
  readonly endianness?: Endianness;
}

/** A connection to multipathd. */
export class MpathConnection {
  readonly #socket: Socket;
  readonly #opts: MpathConnectionOptions;
  readonly #reader: FrameReader;
  #ended = false;
  #reset = false;
  #waiter: (() => void) | null = null;

  private constructor(socket: Socket, opts: MpathConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#reader = new FrameReader(acceptReplyLength, opts.endianness ?? nativeEndianness());
    socket.on("data", (chunk: Buffer) => {
      this.#reader.push(chunk);
      this.#wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNRESET" || e.code === "EPIPE") this.#reset = true;
      this.#ended = true;
      this.#wake();
    });
  }

  /** `mpath_connect()`: resolves with a connection, or null when nobody listens. */
  static open(address: UxAddress, opts: MpathConnectionOptions): Promise<MpathConnection | null> {
    return new Promise((resolve) => {
      const socket = connect(netAddress(address));
      const onError = () => {
        socket.destroy();
        resolve(null);
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(new MpathConnection(socket, opts));
      });
    });
  }

  /** `mpath_send_cmd()`: resolves false when the bytes could not be written. */
  send(command: string): Promise<boolean> {
    return this.sendRaw(encodeFrame(command, this.#opts.endianness ?? nativeEndianness()));
  }

  /** Writes raw bytes (tests use it to send malformed frames). */
  sendRaw(bytes: Uint8Array): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#socket.destroyed || this.#ended) {
        resolve(false);
        return;
      }
      this.#socket.write(bytes, (err) => resolve(err == null));
    });
  }

  /** `mpath_recv_reply()` with `timeoutMs` for the whole reply. */
  receive(timeoutMs: number = DEFAULT_UXSOCK_TIMEOUT_MS): Promise<ClientOutcome> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (o: ClientOutcome) => {
        if (done) return;
        done = true;
        this.#waiter = null;
        this.#opts.clock.cancel(timer);
        resolve(o);
      };
      const timer = this.#opts.clock.schedule(
        timeoutMs * NSEC_PER_MSEC,
        () => finish({ kind: "timeout" }),
        undefined,
      );
      const check = () => {
        const ev = this.#reader.next();
        if (ev.kind === "frame") return finish({ kind: "reply", text: bodyToString(ev.body) });
        if (ev.kind === "bad-length") return finish({ kind: "receive-error", errno: ClientErrno.ERANGE });
        if (this.#ended)
          finish({ kind: "receive-error", errno: this.#reset ? ClientErrno.ECONNRESET : ClientErrno.EIO });
      };
      this.#waiter = check;
      check();
    });
  }

  /** `mpath_process_cmd()`: send, then wait for the reply. */
  async process(command: string, timeoutMs: number = DEFAULT_UXSOCK_TIMEOUT_MS): Promise<ClientOutcome> {
    if (!(await this.send(command))) return { kind: "send-failed" };
    return this.receive(timeoutMs);
  }

  /** `mpath_disconnect()`. */
  close(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    this.#waiter?.();
  }
}
