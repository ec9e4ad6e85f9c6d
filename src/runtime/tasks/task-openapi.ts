/** The OpenAPI paths of one API's task endpoints (task-routes.ts), for /docs.json and Swagger UI. */

type Schema = Record<string, unknown>;

export interface TaskPathsInput {
  readonly api: string;
  /** The request body schema of `POST /<api>`: a task takes the same input. */
  readonly requestSchema: Schema;
  /** The 200 schema of `POST /<api>`: what `GET /<api>/get` answers. */
  readonly resultSchema: Schema;
  /** An example input, shown (and sent) by Swagger UI. */
  readonly example: unknown;
  readonly security: readonly Schema[] | undefined;
  readonly errorResponse: (description: string) => Schema;
}

export function taskPaths(input: TaskPathsInput): Record<string, Schema> {
  const { api, security, errorResponse } = input;
  const task = { $ref: '#/components/schemas/Task' };
  const taskAnswer = (description: string) => ({
    description,
    content: { 'application/json': { schema: task } },
  });
  const taskId = {
    name: 'task_id',
    in: 'query',
    required: true,
    description: `The id \`POST /${api}/submit\` answered.`,
    schema: { type: 'string' },
  };
  const common = {
    tags: [`${api} tasks`],
    ...(security ? { security } : {}),
  };
  const notFound = {
    400: errorResponse('No task_id given.'),
    ...(security ? { 401: errorResponse('Missing or wrong bearer token.') } : {}),
    404: errorResponse('No such task on this instance, or its result expired.'),
  };
  const cancel = {
    ...common,
    operationId: `${api}_cancel`,
    summary: `Cancel a task of ${api}`,
    description: 'A task still in progress becomes cancelled; a finished task stays as it is.',
    parameters: [taskId],
    responses: { 200: taskAnswer('The task, after cancelling.'), ...notFound },
  };
  return {
    [`/${api}/submit`]: {
      post: {
        ...common,
        operationId: `${api}_submit`,
        summary: `Run ${api} in the background`,
        description: `Checks the input as \`POST /${api}\` does, queues it and answers at once with a task id; poll \`/${api}/status\`, then fetch \`/${api}/get\`.`,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: input.requestSchema, example: input.example } },
        },
        responses: {
          202: taskAnswer('Accepted; the Location header is its status URL.'),
          400: errorResponse('The input does not match the model (see `code`).'),
          ...(security ? { 401: errorResponse('Missing or wrong bearer token.') } : {}),
          413: errorResponse('The body or the row count is over the limit.'),
          429: errorResponse('Too many tasks held, by count or bytes; see Retry-After.'),
          503: errorResponse('Not ready or draining.'),
        },
      },
    },
    [`/${api}/status`]: {
      get: {
        ...common,
        operationId: `${api}_status`,
        summary: `Status of a task of ${api}`,
        parameters: [taskId],
        responses: { 200: taskAnswer('The task.'), ...notFound },
      },
    },
    [`/${api}/get`]: {
      get: {
        ...common,
        operationId: `${api}_get`,
        summary: `Result of a task of ${api}`,
        description: `What \`POST /${api}\` would have answered; a failed task answers its error.`,
        parameters: [taskId],
        responses: {
          200: {
            description: 'The model outputs.',
            content: { 'application/json': { schema: input.resultSchema } },
          },
          ...notFound,
          409: errorResponse('The task is still in progress, or was cancelled.'),
          500: errorResponse('The task failed in the model.'),
        },
      },
    },
    [`/${api}/cancel`]: { put: cancel, post: { ...cancel, operationId: `${api}_cancel_post` } },
  };
}

/** The `Task` schema the task endpoints answer. */
export const TASK_SCHEMA: Schema = {
  type: 'object',
  required: ['task_id', 'status', 'created_at', 'executed_at'],
  properties: {
    task_id: { type: 'string' },
    status: { type: 'string', enum: ['in_progress', 'success', 'failure', 'cancelled'] },
    created_at: { type: 'string', format: 'date-time' },
    executed_at: { type: 'string', format: 'date-time', nullable: true },
  },
};
