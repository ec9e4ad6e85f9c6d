/**
 * The task endpoints of each API: `POST /<api>/submit` (202 + task id), `GET /<api>/status`,
 * `GET /<api>/get` (the result, as `POST /<api>` would have answered it) and `PUT|POST
 * /<api>/cancel`, each with `?task_id=`. The input is checked at submit, so a bad body is a
 * 400 now rather than a failed task later.
 */
import type { ApiSpec } from '../../bento/schema.js';
import { HttpError } from '../http-errors.js';
import { defineRoute, type Route, type RouteContext, type RouteResult } from '../route-pipeline.js';
import { apiOutputBody, readApiBody } from '../routes.js';
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
      return defineRoute(context, {
        label,
        methods: ['POST'],
        auth: true,
        ready: true,
        body: (request, service) => readApiBody(context, request, service, api.name),
        handle: ({ service, body: { tensors, rows } }) => {
          const served = service.api(api.name);
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
      });
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
  answer: (id: string) => RouteResult,
): Route {
  return defineRoute(context, {
    label,
    methods,
    auth: true,
    ready: false,
    handle: ({ request }) => {
      const id = new URL(request.url ?? '/', 'http://localhost').searchParams.get('task_id');
      if (id === null || id === '') {
        throw new HttpError(
          'MISSING_TASK_ID',
          `/${label} needs ?task_id=<id>, the id POST /${api.name}/submit answered`,
        );
      }
      return answer(id);
    },
  });
}

function copyTensor(tensor: HostTensor): HostTensor {
  return { dtype: tensor.dtype, dims: tensor.dims, data: tensor.data.slice() };
}
