import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestBento } from '../helpers/models.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.5, 3.0, 5.5, 2.0],
];
/** 64 rows through the slow model: about half a second here, longer than the polls below. */
const SLOW_ROWS = Array.from({ length: 64 }, () => new Array<number>(1024).fill(0));

interface Task {
  task_id: string;
  status: string;
  created_at: string;
  executed_at: string | null;
}

async function pollUntilDone(server: TestServer, api: string, id: string): Promise<Task> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const task = (await (await fetch(`${server.url}/${api}/status?task_id=${id}`)).json()) as Task;
    if (task.status !== 'in_progress') return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`task ${id} did not finish`);
}

describe('async task API over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(makeTestBento({ slowLayers: 200 }), { maxLatencyMs: 60_000 });
  });
  afterAll(async () => {
    await server.handle.shutdown();
  });

  it('GIVEN POST /<api>/submit THEN 202 with a task id, status reaches success, and get answers what POST /<api> does', async () => {
    const submitted = await server.post('/classify/submit', { input: ROWS });
    expect(submitted.status).toBe(202);
    const task = (await submitted.json()) as Task;
    expect(task).toMatchObject({ status: 'in_progress' });
    expect(task.task_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(submitted.headers.get('location')).toBe(`/classify/status?task_id=${task.task_id}`);
    expect((await pollUntilDone(server, 'classify', task.task_id)).status).toBe('success');
    const result = await fetch(`${server.url}/classify/get?task_id=${task.task_id}`);
    expect(result.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/bentoctl_tasks\{status="success"\} [1-9]/);
    expect(metrics).toMatch(/bentoctl_tasks_bytes [1-9]/);
    const direct = await server.post('/classify', { input: ROWS });
    expect(await result.json()).toEqual(await direct.json());
  });

  it('GIVEN a bad input at submit THEN it is refused at once with the same 400 as POST /<api>', async () => {
    const response = await server.post('/classify/submit', { input: [[1, 2]] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('WRONG_SHAPE');
  });

  it('GIVEN a task still running THEN get is 409 TASK_NO_RESULT and cancel makes it cancelled', async () => {
    const task = (await (await server.post('/slow/submit', { x: SLOW_ROWS })).json()) as Task;
    const early = await fetch(`${server.url}/slow/get?task_id=${task.task_id}`);
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe('TASK_NO_RESULT');
    const cancelled = await fetch(`${server.url}/slow/cancel?task_id=${task.task_id}`, {
      method: 'PUT',
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as Task).status).toBe('cancelled');
    expect((await fetch(`${server.url}/slow/get?task_id=${task.task_id}`)).status).toBe(409);
  });

  it('GIVEN task ids that are missing, unknown or of another API THEN 400 MISSING_TASK_ID / 404 TASK_NOT_FOUND', async () => {
    const missing = await fetch(`${server.url}/classify/status`);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { code: string }).code).toBe('MISSING_TASK_ID');
    const unknown = await fetch(`${server.url}/classify/get?task_id=nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('TASK_NOT_FOUND');
    const task = (await (await server.post('/classify/submit', ROWS)).json()) as Task;
    expect((await fetch(`${server.url}/mixed/status?task_id=${task.task_id}`)).status).toBe(404);
    // Task paths exist only for the bento's APIs, with their methods.
    expect((await fetch(`${server.url}/nope/status?task_id=x`)).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/classify/submit`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('GIVEN /docs.json THEN each API has its submit, status, get and cancel operations', async () => {
    const doc = (await (await fetch(`${server.url}/docs.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const api of ['classify', 'mixed', 'slow']) {
      expect(doc.paths[`/${api}/submit`]?.post?.operationId).toBe(`${api}_submit`);
      expect(doc.paths[`/${api}/status`]?.get?.operationId).toBe(`${api}_status`);
      expect(doc.paths[`/${api}/get`]?.get?.operationId).toBe(`${api}_get`);
      expect(Object.keys(doc.paths[`/${api}/cancel`] ?? {}).sort()).toEqual(['post', 'put']);
    }
    expect(doc.components.schemas.Task).toBeDefined();
  });
});

describe('async tasks at shutdown', () => {
  it('GIVEN tasks waiting and running WHEN SIGTERM THEN every accepted task runs to success before the process stops', async () => {
    // Batches of 32 rows, so the lane holds one 64-row task in the batcher and the rest wait.
    const server = await startTestServer(makeTestBento({ slowLayers: 100 }), {
      maxLatencyMs: 60_000,
      maxBatchSize: 32,
    });
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await server.post('/slow/submit', { x: SLOW_ROWS });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as Task).task_id);
    }
    const { clean } = await server.handle.shutdown();
    expect(clean).toBe(true);
    const lines = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const finished = lines.filter((line) => line.message === 'task');
    expect(finished.map((line) => [line.taskId, line.status])).toEqual(
      ids.map((id) => [id, 'success']),
    );
    const stopped = lines.findIndex((line) => line.message === 'stopped');
    const lastTask = lines.lastIndexOf(finished.at(-1) as Record<string, unknown>);
    expect(lastTask).toBeLessThan(stopped);
    expect(lines.find((line) => line.message === 'draining')?.tasksInProgress).toBe(3);
  });
});
