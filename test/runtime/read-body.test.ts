import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/runtime/http-errors.js';
import { readBodyBytes } from '../../src/runtime/read-body.js';

/** A request whose body the test writes: headers as given, the body stream under its control. */
function fakeRequest(): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers: {} }) as unknown as PassThrough &
    IncomingMessage;
}

const limits = (drain: AbortSignal) => ({
  maxBytes: 1024,
  timeoutMs: 60_000,
  drain,
  drainLingerMs: 20,
});

describe('readBodyBytes while the server drains', () => {
  it('GIVEN several bodies still arriving WHEN draining starts THEN each gets the linger, then SHUTTING_DOWN, and one that finishes in time is read', async () => {
    const controller = new AbortController();
    const stalled = [fakeRequest(), fakeRequest()];
    const finishing = fakeRequest();
    const reads = stalled.map((request) =>
      readBodyBytes(request, limits(controller.signal)).then(
        () => 'read',
        (error: unknown) => (error instanceof HttpError ? error.code : String(error)),
      ),
    );
    const finished = readBodyBytes(finishing, limits(controller.signal));
    for (const request of [...stalled, finishing]) request.write('{"input": ');
    controller.abort();
    finishing.end('[[1, 2]]}');
    expect((await finished).toString()).toBe('{"input": [[1, 2]]}');
    expect(await Promise.all(reads)).toEqual(['SHUTTING_DOWN', 'SHUTTING_DOWN']);
  });

  it('GIVEN the server already draining WHEN a body starts THEN it gets the linger too', async () => {
    const controller = new AbortController();
    controller.abort();
    const request = fakeRequest();
    const read = readBodyBytes(request, limits(controller.signal));
    request.end('{}');
    expect((await read).toString()).toBe('{}');
    const late = fakeRequest();
    await expect(readBodyBytes(late, limits(controller.signal))).rejects.toMatchObject({
      code: 'SHUTTING_DOWN',
    });
  });

  it('GIVEN a body in several chunks THEN it is read whole', async () => {
    const request = fakeRequest();
    const read = readBodyBytes(request, limits(new AbortController().signal));
    request.write('{"a"');
    request.write(': [1,');
    request.end(' 2]}');
    expect((await read).toString()).toBe('{"a": [1, 2]}');
  });
});
