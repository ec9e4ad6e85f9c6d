/**
 * Makes sure the images a Dockerfile starts FROM are in the engine before the build, pulling
 * them (with the Docker config's credentials for their registry) when missing. Done up front
 * so that a missing base is its own error, not a failed first build step.
 */
import type Dockerode from 'dockerode';
import { errors } from '../errors/index.js';
import {
  DockerStreamError,
  followDockerStream,
  type DockerProgressEvent,
} from './docker-stream.js';
import { engineMessage, engineStatus, isConnectionError, engineAddress } from './engine.js';
import { dockerConfigCredentials } from './registry-auth/docker-config.js';
import { registryHost } from './registry-auth/registry-credentials.js';

export interface EnsureImageOptions {
  readonly platform: string;
  readonly onEvent?: (event: DockerProgressEvent) => void;
  readonly signal?: AbortSignal;
}

/** Returns 'present' or 'pulled'; throws BASE_IMAGE_UNAVAILABLE when it can be neither. */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  options: EnsureImageOptions,
): Promise<'present' | 'pulled'> {
  try {
    await docker.getImage(image).inspect();
    return 'present';
  } catch (error) {
    if (engineStatus(error) !== 404) throw asEngineError(error);
  }
  const credentials = await dockerConfigCredentials(registryHost(image)).catch(() => undefined);
  try {
    const stream = await docker.pull(image, {
      platform: options.platform,
      ...(credentials === undefined ? {} : { authconfig: credentials }),
      ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
    });
    await followDockerStream(docker, stream, {
      operation: `pull of ${image}`,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
  } catch (error) {
    if (isConnectionError(error)) throw errors.engineUnreachable(engineAddress(), error);
    const detail = error instanceof DockerStreamError ? error.detail : engineMessage(error);
    throw errors.baseImageUnavailable(image, detail);
  }
  return 'pulled';
}

function asEngineError(error: unknown): Error {
  if (isConnectionError(error)) return errors.engineUnreachable(engineAddress(), error);
  return error instanceof Error ? error : new Error(String(error));
}
