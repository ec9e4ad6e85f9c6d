/**
 * The task endpoints of each API: `POST /<api>/submit` (202 + task id), `GET /<api>/status`,
 * `GET /<api>/get` (the result, as `POST /<api>` would have answered it) and `PUT|POST
 * /<api>/cancel`, each with `?task_id=`. The input is checked at submit, so a bad body is a
 * 400 now rather than a failed task later.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiSpec } from '../../bento/schema.js';
import { HttpError } from '../http-errors.js';
import { apiOutputBody, readApiBody, servedApi, type Route, type RouteContext } from '../routes.js';
import type { HostTensor } from '../tensor.js';

export const TASK_ACTIONS = ['submit', 'status', 'get', 'cancel'] as const;
type TaskAction = (typeof TASK_ACTIONS)[number];

const TASK_PATH = /^\/([^/]+)\/(submit|status|get|cancel)$/;

/** The task route of `path`, or undefined when it is not `/<api>/<action>` of a bento API. */
export function matchTaskRoute(context: RouteContext, path: string): Route | undefined {
  const match = TASK_PATH.exec(path);
  const api = context.manifest.apis.find((candidate) => candidate.name === match?.[1]);
  if (match === null || api === undefined) return undefined;
  const action = match[2] as TaskAction;
  const label = `${api.name}/${action}`;
  const { tasks } = context;
  switch (action) {
    case 'submit':
      return {
        label,
        methods: ['POST'],
        handle: async (request) => {
          context.auth?.(request.headers.authorization);
          const served = servedApi(context, api.name);
          const { tensors, rows } = await readApiBody(context, request, api.name);
          // Refused now, as POST /<api> would be: the batcher would only refuse it later.
          if (rows > context.settings.maxQueueRows) {
            throw new HttpError(
              'TOO_MANY_ROWS',
              `the task has ${rows} rows; at most ${context.settings.maxQueueRows} rows fit in the queue of "${api.name}"`,
            );
          }
          const task = tasks.submit(api.name, served.batcher.maxBatchSize, {
            rows,
            bytes: tensors.reduce((sum, tensor) => sum + tensor.data.byteLength, 0),
            run: async () => {
              // A copy per attempt: a batch hands its input memory to the inference thread,
              // and a task refused by a full queue is tried again with the same input.
              const result = await served.batcher.submit(tensors.map(copyTensor), rows);
              return JSON.stringify(apiOutputBody(served, result.outputs));
            },
          });
          return {
            status: 202,
            body: task,
            rows,
            headers: { location: `/${api.name}/status?task_id=${task.task_id}` },
          };
        },
      };
    case 'status':
      return taskQuery(context, api, label, ['GET'], (id) => ({
        status: 200,
        body: tasks.status(api.name, id),
      }));
    case 'get':
      return taskQuery(context, api, label, ['GET'], (id) => ({
        status: 200,
        body: tasks.result(api.name, id),
        contentType: 'application/json; charset=utf-8',
      }));
    case 'cancel':
      return taskQuery(context, api, label, ['PUT', 'POST'], (id) => ({
        status: 200,
        body: tasks.cancel(api.name, id),
      }));
  }
}

function taskQuery(
  context: RouteContext,
  api: ApiSpec,
  label: string,
  methods: readonly string[],
  answer: (id: string) => Awaited<ReturnType<Route['handle']>>,
): Route {
  return {
    label,
    methods,
    handle: (request: IncomingMessage) => {
      context.auth?.(request.headers.authorization);
      const id = new URL(request.url ?? '/', 'http://localhost').searchParams.get('task_id');
      if (id === null || id === '') {
        throw new HttpError(
          'MISSING_TASK_ID',
          `/${label} needs ?task_id=<id>, the id POST /${api.name}/submit answered`,
        );
      }
      return Promise.resolve(answer(id));
    },
  };
}

function copyTensor(tensor: HostTensor): HostTensor {
  return { dtype: tensor.dtype, dims: tensor.dims, data: tensor.data.slice() };
}
