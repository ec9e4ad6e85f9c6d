import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { spawnRuntime, type ChildServer } from './helpers/child.js';
import { makeTestBento } from './helpers/models.js';
import { rawConnection, type RawConnection } from './helpers/raw-client.js';

const BODY = JSON.stringify({ input: [[5.1, 3.5, 1.4, 0.2]] });
const port = () => 20000 + Math.floor(Math.random() * 10000);

/** One request on a fresh connection; 0 when refused, -1 when it got no answer in 10 s. */
function once(at: number, method: 'GET' | 'POST', path: string): Promise<number> {
  return new Promise((resolve) => {
    const call = request(
      { host: '127.0.0.1', port: at, method, path, agent: false, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('timeout', () => {
      call.destroy();
      resolve(-1);
    });
    call.on('error', () => resolve(0));
    if (method === 'POST') call.setHeader('content-type', 'application/json');
    call.end(method === 'POST' ? BODY : undefined);
  });
}

const readyPids = (server: ChildServer) =>
  server.lines.filter((line) => line.message === 'ready').map((line) => Number(line.pid));

async function until(check: () => boolean | Promise<boolean>, attempts = 800): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** TCP sockets of `pid` other than listening ones, from /proc. */
function connectionSockets(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields[3] is the state (0A = LISTEN), fields[9] the inode.
      if (fields.length > 9 && inodes.has(fields[9] ?? '') && fields[3] !== '0A') count += 1;
    }
  }
  return count;
}

describe('worker processes', () => {
  it('GIVEN two workers starting THEN no request reaches one before its models load, and /readyz turns 200 once both are ready and stays so', async () => {
    const at = port();
    const server = await spawnRuntime({
      BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 1 }),
      BENTOCTL_WORKERS: '2',
      PORT: String(at),
    });
    const posts: number[] = [];
    const probes: number[] = [];
    try {
      let streak = 0;
      for (let attempt = 0; attempt < 3000 && streak < 40; attempt += 1) {
        const [post, probe] = await Promise.all([
          once(at, 'POST', '/classify'),
          once(at, 'GET', '/readyz'),
        ]);
        posts.push(post);
        probes.push(probe);
        streak = probe === 200 ? streak + 1 : 0;
      }
      // Refused (nobody listening yet) or answered; never 503 NOT_READY from a loading worker.
      expect(posts.filter((status) => status !== 0 && status !== 200)).toEqual([]);
      const first = probes.indexOf(200);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(probes.slice(first).filter((status) => status !== 200)).toEqual([]);
      expect(new Set(readyPids(server)).size).toBe(2);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  it('GIVEN two workers serving WHEN one is killed THEN no request hangs, the primary holds no connection, the restarted one gets traffic, and /metrics sums over workers', async () => {
    const at = port();
    const server = await spawnRuntime({
      BENTOCTL_BENTO_DIR: makeTestBento({ slowLayers: 1 }),
      BENTOCTL_WORKERS: '2',
      BENTOCTL_LOG_LEVEL: 'debug',
      PORT: String(at),
    });
    try {
      expect(await until(async () => (await once(at, 'GET', '/readyz')) === 200)).toBe(true);
      // Metrics: the sum over both workers, the same on every scrape.
      for (let index = 0; index < 20; index += 1)
        expect(await once(at, 'POST', '/classify')).toBe(200);
      const scrape = async () => {
        const text = await (await fetch(`http://127.0.0.1:${at}/metrics`)).text();
        return /bentoctl_http_requests_total\{api="classify",status="200"\} (\d+)/.exec(text)?.[1];
      };
      expect([await scrape(), await scrape()]).toEqual(['20', '20']);

      // Load: keep-alive clients and fresh connections, while a worker is killed.
      let stop = false;
      let stopFresh = false;
      let hung = 0;
      let failed = 0;
      let answered = 0;
      const keepAlive = async () => {
        let connection: RawConnection | undefined;
        for (let index = 0; index < 20_000 && !stop; index += 1) {
          connection ??= await rawConnection(at).catch(() => undefined);
          if (connection === undefined) continue;
          const answer = await Promise.race([
            connection.request('/classify', BODY).catch(() => undefined),
            new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
          ]);
          if (answer === 'hung') hung += 1;
          else if (answer?.status === 200) answered += 1;
          else failed += 1;
          if (answer === undefined || answer === 'hung' || answer.headers.connection === 'close') {
            connection.close();
            connection = undefined;
          }
        }
        connection?.close();
      };
      const fresh = async () => {
        for (let index = 0; index < 20_000 && !stopFresh; index += 1) {
          const status = await once(at, 'POST', '/classify');
          if (status === -1) hung += 1;
        }
      };
      const loops = [
        ...Array.from({ length: 16 }, () => keepAlive()),
        ...Array.from({ length: 4 }, () => fresh()),
      ];
      expect(await until(() => answered > 300)).toBe(true);
      const [victim] = readyPids(server);
      process.kill(victim as number, 'SIGKILL');
      expect(await until(() => new Set(readyPids(server)).size === 3)).toBe(true);
      const restarted = readyPids(server).at(-1) as number;
      // From here on only the keep-alive clients, which reconnected while the new worker was
      // loading: it gets traffic only if the other worker lets some of them go.
      stopFresh = true;
      const servedBy = (pid: number) =>
        server.lines.filter((line) => line.message === 'request' && line.pid === pid).length;
      const reached = await until(() => servedBy(restarted) > 0);
      stop = true;
      await Promise.all(loops);
      expect(hung).toBe(0);
      expect(reached).toBe(true);
      // Requests the killed worker held fail; everything else was answered.
      expect(failed).toBeLessThan(answered);
      expect(connectionSockets(server.child.pid as number)).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);
});
