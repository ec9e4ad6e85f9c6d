/**
 * A fake `fetch` (the FetchLike the registry code takes) that answers from a script of
 * (status, body) replies in order and records every call, for cloud REST APIs tests cannot reach.
 */
import type { FetchLike } from '../../src/builders/registry-auth/acr.js';

export interface ScriptedCall {
  readonly method: string;
  readonly url: string;
  /** The request body parsed as JSON; undefined when none was sent. */
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export type ScriptedReply = [status: number, body: unknown];

export function scriptedFetch(replies: ScriptedReply[]): {
  fetch: FetchLike;
  calls: ScriptedCall[];
} {
  const calls: ScriptedCall[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({
      method: init.method,
      url,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
      authorization: init.headers.authorization,
    });
    const [status, body] = replies.shift() ?? [500, 'no more replies'];
    return { ok: status >= 200 && status < 300, status, text: async () => JSON.stringify(body) };
  };
  return { fetch, calls };
}
