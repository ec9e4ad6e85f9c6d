/**
 * The benchmarks' raw-socket client (scripts/lib/keep-alive-connections.js), which the open-loop
 * generator's latency figures rest on: every answer read to its end, whatever its framing, each
 * request answered once, and nothing lost when the server closes or resets a connection.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepAliveConnections } from '../../scripts/lib/keep-alive-connections.js';

const BODY = JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] });

let server: Server | undefined;
let pool: KeepAliveConnections | undefined;
afterEach(async () => {
  pool?.close();
  pool = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server on 127.0.0.1 that answers each request with `answer`; resolves with its URL. */
async function serve(
  answer: (response: ServerResponse, count: number, body: string) => void,
): Promise<string> {
  let count = 0;
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      count += 1;
      answer(response, count, body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends `count` requests at once; resolves with their statuses in the order they were answered. */
function sendAll(
  connections: KeepAliveConnections,
  count: number,
): Promise<(number | undefined)[]> {
  const statuses: (number | undefined)[] = [];
  return new Promise((resolve) => {
    for (let index = 0; index < count; index += 1)
      connections.send((status) => {
        statuses.push(status);
        if (statuses.length === count) resolve(statuses);
      });
  });
}

describe('KeepAliveConnections', () => {
  it('GIVEN answers with Content-Length, split across packets WHEN more requests than connections are sent THEN each is answered once, on the connections there are, with its body sent whole', async () => {
    const bodies: string[] = [];
    const url = await serve((response, count, body) => {
      bodies.push(body);
      const text = JSON.stringify({ output: [[count]] });
      response.writeHead(count % 2 === 0 ? 200 : 503, {
        'content-length': Buffer.byteLength(text),
      });
      // The head and the body in two writes: the client must wait for the whole answer.
      response.flushHeaders();
      setTimeout(() => response.end(text), 2);
    });
    pool = await KeepAliveConnections.open(url, '/classify', BODY, 3);
    const statuses = await sendAll(pool, 40);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 503)).toHaveLength(20);
    expect(bodies).toEqual(Array.from({ length: 40 }, () => BODY));
    const open = await new Promise<number>((resolve, reject) =>
      server?.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(open).toBe(3);
  });

  it('GIVEN chunked answers (node:http without a length) WHEN requests go THEN each ends at its last chunk', async () => {
    const url = await serve((response) => {
      response.write('{"output":');
      setTimeout(() => response.end('[[1]]}'), 1);
    });
    pool = await KeepAliveConnections.open(url, '/', BODY, 2);
    expect(await sendAll(pool, 10)).toEqual(Array.from({ length: 10 }, () => 200));
  });

  it('GIVEN a server that closes after some answers or resets mid-request WHEN requests go on THEN the closed answer counts, the reset one fails, and the rest reconnect and are answered', async () => {
    const url = await serve((response, count) => {
      if (count === 3) {
        response.socket?.destroy();
        return;
      }
      const headers: Record<string, string> = { 'content-length': '2' };
      if (count % 4 === 0) headers.connection = 'close';
      response.writeHead(200, headers);
      response.end('{}');
    });
    pool = await KeepAliveConnections.open(url, '/', BODY, 2);
    const statuses = await sendAll(pool, 20);
    expect(statuses.filter((status) => status === undefined)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
  });

  it('GIVEN the server closes connections that sit idle WHEN requests follow THEN each goes on a connection of its own and is answered once', async () => {
    const url = await serve((response) => {
      response.writeHead(200, { 'content-length': '2' });
      // Slow enough that every connection is busy at once.
      setTimeout(() => response.end('{}'), 5);
    });
    // The first connections are closed before they carry a request (as a keep-alive timeout does).
    let opened = 0;
    server?.on('connection', (socket: Socket) => {
      opened += 1;
      if (opened <= 2) setTimeout(() => socket.destroy(), 50);
    });
    pool = await KeepAliveConnections.open(url, '/', BODY, 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sendAll(pool, 12)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(opened).toBe(4);
  });
});
