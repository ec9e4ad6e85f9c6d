/**
 * A keep-alive HTTP/1.1 client on a raw socket, for tests that must know exactly which
 * requests were written to the server and which got an answer (fetch and undici retry or hide
 * resets). Responses are parsed with Content-Length only, which is all the runtime sends.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawConnection {
  readonly socket: Socket;
  /** Writes one request and resolves with its answer, or rejects if the connection ends first. */
  request(path: string, body: string): Promise<RawResponse>;
  /** True once the server closed its side (or the socket failed). */
  readonly closed: boolean;
  close(): void;
}

export function rawConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let closed = false;
    const waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void }[] = [];
    const parse = (): void => {
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0 || waiting.length === 0) return;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0]?.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        waiting.shift()?.resolve({ status, headers, body });
      }
    };
    const fail = (why: string): void => {
      closed = true;
      for (const entry of waiting.splice(0)) entry.reject(new Error(why));
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      parse();
    });
    socket.on('end', () => fail('the server closed the connection'));
    socket.on('close', () => fail('the connection closed'));
    socket.on('error', (error) => fail(error.message));
    socket.once('connect', () =>
      resolve({
        socket,
        get closed() {
          return closed;
        },
        request: (path, body) =>
          new Promise<RawResponse>((done, failed) => {
            if (closed) {
              failed(new Error('the connection is closed'));
              return;
            }
            waiting.push({ resolve: done, reject: failed });
            socket.write(
              `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
            );
          }),
        close: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}
