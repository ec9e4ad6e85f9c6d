/**
 * Keep-alive HTTP/1.1 connections for a load generator that must cost the client core as little
 * as it can: one request, encoded once, written as is on raw sockets, and each answer read only
 * as far as its status and length. An undici pool cost the open-loop generator about half of
 * its core at 17 k requests/s, enough to make its own lateness show in the server's p99
 * (docs/benchmarks.md); this costs a few microseconds per request above the two system calls.
 *
 * One request at a time per connection (no pipelining, as a browser or an SDK client sends);
 * requests sent while every connection is busy wait, first in first out, for the next one
 * free. Answers carry Content-Length (the runtime, the naive server) or come chunked (the
 * ceiling server); one with neither, a reset or a close mid-answer counts as failed, and the
 * connection is opened again.
 */
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:\s*chunked/i;
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');
const CONNECTION_CLOSE = /\r\nconnection:\s*close/i;

class Connection {
  /** @param {KeepAliveConnections} owner */
  constructor(owner) {
    this.owner = owner;
    /** @type {((status: number | undefined) => void) | undefined} */
    this.done = undefined;
    /** In the owner's idle list (a socket that closes there is replaced in place). */
    this.idle = true;
    this.buffer = Buffer.alloc(0);
    this.socket = this.open();
  }

  open() {
    const { host, port } = this.owner;
    const socket = connect({ host, port, noDelay: true });
    socket.on('data', (chunk) => this.read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.finish(undefined);
      if (!this.owner.closed) {
        this.buffer = Buffer.alloc(0);
        this.socket = this.open();
        // Busy (its request failed) or just answered with `Connection: close`: free again. An
        // idle one the server closed is still in the idle list; adding it twice would send two
        // requests on it at once.
        if (!this.idle) this.owner.free(this);
      }
    });
    return socket;
  }

  /** @param {(status: number | undefined) => void} done */
  send(done) {
    this.idle = false;
    this.done = done;
    this.socket.write(this.owner.request);
  }

  /** @param {Buffer} chunk */
  read(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf(HEADER_END);
    if (end === -1) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = CONTENT_LENGTH.exec(head);
    let total;
    if (length !== null) total = end + HEADER_END.length + Number(length[1]);
    else if (CHUNKED.test(head)) {
      // node:http without a Content-Length (the ceiling server): the last chunk ends it. JSON
      // has no raw line breaks, so the terminator cannot occur inside a chunk here.
      const last = this.buffer.indexOf(LAST_CHUNK, end);
      if (last === -1) return;
      total = last + LAST_CHUNK.length;
    } else {
      // Neither: the answer's end cannot be found; start this connection afresh.
      this.socket.destroy();
      return;
    }
    if (this.buffer.length < total) return;
    this.buffer = this.buffer.subarray(total);
    const status = Number(head.slice(9, 12));
    if (CONNECTION_CLOSE.test(head)) {
      // The server asked to close: this answer counts, the next request takes a new socket.
      this.finish(status);
      this.socket.destroy();
      return;
    }
    this.finish(status);
    this.owner.free(this);
  }

  /** @param {number | undefined} status */
  finish(status) {
    const done = this.done;
    this.done = undefined;
    done?.(status);
  }
}

export class KeepAliveConnections {
  /**
   * `count` connections to `url`, each ready to POST `body` (JSON) to `path`; resolves once
   * every one is connected.
   */
  static async open(url, path, body, count) {
    const pool = new KeepAliveConnections(url, path, body);
    for (let index = 0; index < count; index += 1) pool.idle.push(new Connection(pool));
    await Promise.all(
      pool.idle.map(
        (connection) =>
          new Promise((resolve, reject) => {
            connection.socket.once('connect', resolve);
            connection.socket.once('error', reject);
          }),
      ),
    );
    return pool;
  }

  constructor(url, path, body) {
    const { hostname, port } = new URL(url);
    this.host = hostname;
    this.port = Number(port);
    const payload = Buffer.from(body);
    this.request = Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`,
        'latin1',
      ),
      payload,
    ]);
    /** @type {Connection[]} */
    this.idle = [];
    /** @type {((status: number | undefined) => void)[]} */
    this.waiting = [];
    this.waitingHead = 0;
    this.closed = false;
  }

  /** Sends the request on a free connection, or when one is free; `done` gets the status. */
  send(done) {
    const connection = this.idle.pop();
    if (connection === undefined) this.waiting.push(done);
    else connection.send(done);
  }

  /** @param {Connection} connection */
  free(connection) {
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead];
      this.waitingHead += 1;
      // Drop the consumed head now and then rather than shifting on every request.
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitingHead);
        this.waitingHead = 0;
      }
      connection.send(next);
    } else {
      connection.idle = true;
      this.idle.push(connection);
    }
  }

  close() {
    this.closed = true;
    for (const connection of this.idle) connection.socket.destroy();
    this.idle = [];
  }
}
