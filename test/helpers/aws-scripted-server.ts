/**
 * A local HTTP server that answers AWS API calls from a script, for the real SDK v3 clients
 * (JSON protocol: `X-Amz-Target`; query protocol: `Action=` in a form body). Point a client at
 * it with `endpoint` in-process, or a spawned CLI with `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface AwsReply {
  readonly status?: number;
  /** JSON replies are serialized; query-protocol replies are XML text. */
  readonly body: unknown;
  readonly contentType?: string;
}

export interface AwsRecordedCall {
  /** `FilterLogEvents`, `DescribeServices`, `DescribeAutoScalingGroups`... */
  readonly operation: string;
  /** The JSON body, or the form fields of a query call. */
  readonly input: Record<string, unknown>;
}

export interface AwsScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly calls: AwsRecordedCall[];
  /** Replies per operation, used in order; the last one repeats. */
  readonly script: Map<string, AwsReply[]>;
  close(): Promise<void>;
}

/** A JSON-protocol error as AWS sends it: HTTP 400 with `__type`. */
export function awsJsonError(type: string, message: string): AwsReply {
  return { status: 400, body: { __type: type, message } };
}

/** A query-protocol (Auto Scaling, ELBv2) error document. */
export function awsQueryError(code: string, message: string, status = 403): AwsReply {
  return {
    status,
    contentType: 'text/xml',
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on 127.0.0.1: on `port` when given (spawned CLIs need one below 32768), else any. */
export async function startAwsScriptedServer(port = 0): Promise<AwsScriptedServer> {
  const calls: AwsRecordedCall[] = [];
  const script = new Map<string, AwsReply[]>();
  const server: Server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const target = request.headers['x-amz-target'];
      let operation: string;
      let input: Record<string, unknown>;
      if (typeof target === 'string') {
        operation = target.split('.').pop() ?? target;
        input = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } else {
        const form = new URLSearchParams(text);
        operation = form.get('Action') ?? '?';
        input = Object.fromEntries(form);
      }
      calls.push({ operation, input });
      const replies = script.get(operation) ?? [];
      const reply =
        replies.length > 1
          ? replies.shift()
          : (replies[0] ?? { status: 500, body: { __type: 'NoScript', message: operation } });
      const json = typeof reply?.body !== 'string';
      response.writeHead(reply?.status ?? 200, {
        'content-type': reply?.contentType ?? (json ? 'application/x-amz-json-1.1' : 'text/xml'),
        'x-amzn-requestid': 'r-1',
      });
      response.end(json ? JSON.stringify(reply?.body) : (reply?.body as string));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    calls,
    script,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Tries ports below 32768 until one is free (several suites may run at once). */
export async function startAwsScriptedServerLowPort(): Promise<AwsScriptedServer> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return await startAwsScriptedServer(port);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port below 32768 after 20 tries');
}

/** Settings for an in-process SDK client against the server. */
export function awsClientSettings(server: AwsScriptedServer) {
  return {
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  };
}
