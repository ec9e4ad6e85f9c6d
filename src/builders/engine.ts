/**
 * The Docker engine bentoctl builds with: dockerode against DOCKER_HOST (unix://, tcp:// with
 * DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or the default socket, checked with a ping so that "no
 * engine" is one clear error instead of a socket error in the middle of a build.
 */
import type Dockerode from 'dockerode';
import { errors } from '../errors/index.js';

const PING_TIMEOUT_MS = 10_000;
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'EACCES',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Where dockerode connects, for messages. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST !== ''
    ? `DOCKER_HOST=${env.DOCKER_HOST}`
    : 'unix:///var/run/docker.sock';
}

/** A dockerode client that answered a ping; `docker` is used as is when given (tests). */
export async function connectEngine(docker?: Dockerode): Promise<Dockerode> {
  // dockerode is heavy: loaded only by the commands that talk to an engine.
  const client = docker ?? new (await import('dockerode')).default();
  try {
    await withTimeout(client.ping(), PING_TIMEOUT_MS);
  } catch (cause) {
    throw errors.engineUnreachable(engineAddress(), cause);
  }
  return client;
}

/** True when an error is the engine connection failing rather than the engine refusing. */
export function isConnectionError(error: unknown): boolean {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return CONNECTION_CODES.has(code);
}

/** The HTTP status of a dockerode error, when the engine answered one. */
export function engineStatus(error: unknown): number | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    typeof error.statusCode === 'number'
    ? error.statusCode
    : undefined;
}

/** The engine's message of a dockerode error (its JSON body), else the error's own. */
export function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'json' in error) {
    const json = (error as { json?: unknown }).json;
    if (
      typeof json === 'object' &&
      json !== null &&
      'message' in json &&
      typeof json.message === 'string'
    ) {
      return json.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
