import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/runtime/http-errors.js';
import { TaskStore, type TaskJob, type TaskLimits } from '../../../src/runtime/tasks/task-store.js';

/** A job the test settles by hand. */
function deferredJob(rows = 1, bytes = 10) {
  const calls: { resolve: (text: string) => void; reject: (error: Error) => void }[] = [];
  const job: TaskJob = {
    rows,
    bytes,
    run: () =>
      new Promise<string>((resolve, reject) => {
        calls.push({ resolve, reject });
      }),
  };
  return { job, calls };
}

/** The HttpError `run` throws (synchronously or not). */
async function catchError(run: () => unknown): Promise<HttpError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

const LIMITS: TaskLimits = { maxTasks: 100, maxBytes: 1_000_000, ttlMs: 60_000 };

describe('TaskStore', () => {
  const stores: TaskStore[] = [];
  const store = (limits: Partial<TaskLimits> = {}, now?: () => number) => {
    const created = new TaskStore({ ...LIMITS, ...limits }, { now });
    stores.push(created);
    return created;
  };
  afterEach(() => {
    for (const created of stores.splice(0)) created.close();
  });

  it('GIVEN a submitted task WHEN its job succeeds THEN status goes in_progress -> success and get answers the result', async () => {
    const tasks = store();
    const { job, calls } = deferredJob();
    const submitted = tasks.submit('api', 32, job);
    expect(submitted.status).toBe('in_progress');
    expect(submitted.executed_at).not.toBeNull();
    expect((await catchError(() => tasks.result('api', submitted.task_id))).code).toBe(
      'TASK_NO_RESULT',
    );
    calls[0]?.resolve('{"y":[1]}');
    await flush();
    expect(tasks.status('api', submitted.task_id).status).toBe('success');
    expect(tasks.result('api', submitted.task_id)).toBe('{"y":[1]}');
    // The id belongs to its API.
    expect((await catchError(() => tasks.status('other', submitted.task_id))).code).toBe(
      'TASK_NOT_FOUND',
    );
  });

  it('GIVEN a job the model fails THEN the task is failure and get answers that error', async () => {
    const tasks = store();
    const { job, calls } = deferredJob();
    const { task_id } = tasks.submit('api', 32, job);
    calls[0]?.reject(new HttpError('INFERENCE_FAILED', 'the model failed on this batch: boom'));
    await flush();
    expect(tasks.status('api', task_id).status).toBe('failure');
    const error = await catchError(() => tasks.result('api', task_id));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('INFERENCE_FAILED');
  });

  it('GIVEN a full batcher queue (OVERLOADED) THEN the task waits and tries again rather than failing', async () => {
    const tasks = store();
    const { job, calls } = deferredJob();
    const { task_id } = tasks.submit('api', 32, job);
    calls[0]?.reject(new HttpError('OVERLOADED', 'full', 1));
    await flush();
    expect(tasks.status('api', task_id).status).toBe('in_progress');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('{}');
    await flush();
    expect(tasks.status('api', task_id).status).toBe('success');
  });

  it('GIVEN the count limit THEN one task too many is 429 TOO_MANY_TASKS with Retry-After', async () => {
    const tasks = store({ maxTasks: 2 });
    tasks.submit('api', 32, deferredJob().job);
    tasks.submit('api', 32, deferredJob().job);
    const refused = await catchError(() => tasks.submit('api', 32, deferredJob().job));
    expect(refused).toMatchObject({ code: 'TOO_MANY_TASKS', statusCode: 429 });
    expect((refused as HttpError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as HttpError).message).toContain('BENTOCTL_TASK_MAX_COUNT');
  });

  it('GIVEN the byte limit THEN inputs of waiting tasks and kept results count against it', async () => {
    const tasks = store({ maxBytes: 100 });
    const first = deferredJob(1, 60);
    tasks.submit('api', 32, first.job);
    const refused = await catchError(() => tasks.submit('api', 32, deferredJob(1, 60).job));
    expect(refused).toMatchObject({ code: 'TOO_MANY_TASKS' });
    expect((refused as HttpError).message).toContain('BENTOCTL_TASK_MAX_MB');
    // Finished, the task holds its 10-byte result instead of its 60-byte input.
    first.calls[0]?.resolve('0123456789');
    await flush();
    expect(tasks.submit('api', 32, deferredJob(1, 60).job).status).toBe('in_progress');
    expect(await catchError(() => tasks.submit('api', 32, deferredJob(1, 40).job))).toMatchObject({
      code: 'TOO_MANY_TASKS',
    });
  });

  it('GIVEN a finished task past its TTL THEN it is gone and its room is free again', async () => {
    let clock = 1_000;
    const tasks = store({ maxTasks: 1, ttlMs: 5_000 }, () => clock);
    const { job, calls } = deferredJob();
    const { task_id } = tasks.submit('api', 32, job);
    calls[0]?.resolve('{}');
    await flush();
    clock += 4_999;
    expect(tasks.status('api', task_id).status).toBe('success');
    clock += 1;
    expect((await catchError(() => tasks.result('api', task_id))).code).toBe('TASK_NOT_FOUND');
    expect(tasks.submit('api', 32, deferredJob().job).status).toBe('in_progress');
  });

  it('GIVEN tasks of one API THEN at most one batch worth of rows is in the batcher at once', async () => {
    const tasks = store();
    const jobs = [deferredJob(3), deferredJob(3), deferredJob(1), deferredJob(1)];
    for (const { job } of jobs) tasks.submit('api', 4, job);
    const started = () => jobs.filter((job) => job.calls.length > 0).length;
    expect(started()).toBe(1);
    jobs[0]?.calls[0]?.resolve('{}');
    await flush();
    // 3 + 1 rows fit in a batch of 4; the last waits for room.
    expect(started()).toBe(3);
    jobs[1]?.calls[0]?.resolve('{}');
    await flush();
    expect(started()).toBe(4);
    // A task larger than a batch still runs, alone.
    const big = deferredJob(10);
    tasks.submit('big', 4, big.job);
    expect(big.calls).toHaveLength(1);
  });

  it('GIVEN cancel THEN a waiting task never runs, a running one drops its result, a finished one stays', async () => {
    const tasks = store();
    const running = deferredJob(4);
    const waiting = deferredJob(4);
    const done = deferredJob(4);
    const a = tasks.submit('api', 4, running.job);
    const b = tasks.submit('api', 4, waiting.job);
    expect(tasks.cancel('api', b.task_id).status).toBe('cancelled');
    expect(tasks.cancel('api', a.task_id).status).toBe('cancelled');
    running.calls[0]?.resolve('{"late":true}');
    await flush();
    expect(waiting.calls).toHaveLength(0);
    expect(tasks.status('api', a.task_id).status).toBe('cancelled');
    const error = await catchError(() => tasks.result('api', a.task_id));
    expect(error).toMatchObject({ code: 'TASK_NO_RESULT', statusCode: 409 });
    expect((error as HttpError).message).toContain('cancelled');
    const c = tasks.submit('api', 4, done.job);
    done.calls[0]?.resolve('{}');
    await flush();
    expect(tasks.cancel('api', c.task_id).status).toBe('success');
  });

  it('GIVEN SIGTERM THEN drain waits for every task in progress, and abandon fails what is left', async () => {
    const tasks = store();
    const first = deferredJob(4);
    const second = deferredJob(4);
    tasks.submit('api', 4, first.job);
    const waitingTask = tasks.submit('api', 4, second.job);
    let drained = false;
    const draining = tasks.drain().then(() => {
      drained = true;
    });
    first.calls[0]?.resolve('{}');
    await flush();
    expect(drained).toBe(false);
    expect(second.calls).toHaveLength(1);
    second.calls[0]?.resolve('{}');
    await draining;
    expect(tasks.status('api', waitingTask.task_id).status).toBe('success');

    const third = deferredJob(4);
    const stuck = tasks.submit('api', 4, third.job);
    tasks.abandon(() => new HttpError('SHUTTING_DOWN', 'stopped', 1));
    expect(tasks.status('api', stuck.task_id).status).toBe('failure');
    expect(await catchError(() => tasks.result('api', stuck.task_id))).toMatchObject({
      code: 'SHUTTING_DOWN',
    });
    expect(tasks.inProgress).toBe(0);
  });
});
