/**
 * Tags the built image into its repository and pushes it. The result counts layers the
 * registry lacked (uploaded) and layers it already had, which is how a model-only rebuild
 * shows that it uploaded only the bento layer.
 */
import type Dockerode from 'dockerode';
import { errors } from '../errors/index.js';
import {
  DockerStreamError,
  followDockerStream,
  pushedDigest,
  type DockerProgressEvent,
} from './docker-stream.js';
import { engineAddress, engineMessage, isConnectionError } from './engine.js';
import type { RegistryCredentials } from './registry-auth/registry-credentials.js';

export interface PushImageInput {
  readonly docker: Dockerode;
  /** Local name or id of the image. */
  readonly image: string;
  readonly repository: string;
  readonly tag: string;
  /** None for open registries (and the engine's own stored credentials). */
  readonly credentials?: RegistryCredentials;
  readonly onEvent?: (event: DockerProgressEvent) => void;
  readonly signal?: AbortSignal;
}

export interface PushedImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  /** `repository@digest`: what deployments pin. */
  readonly reference: string;
  /** Layers uploaded by this push. */
  readonly layersPushed: number;
  /** Layers the registry already had (or mounted from another repository). */
  readonly layersExisting: number;
}

export async function pushImage(input: PushImageInput): Promise<PushedImage> {
  const { docker, repository, tag, signal } = input;
  const reference = `${repository}:${tag}`;
  const operation = `push of ${reference}`;
  let events: DockerProgressEvent[];
  try {
    await docker.getImage(input.image).tag({ repo: repository, tag });
    const stream = await docker.getImage(repository).push({
      tag,
      ...(input.credentials === undefined ? {} : { authconfig: input.credentials }),
      ...(signal === undefined ? {} : { abortSignal: signal }),
    });
    events = await followDockerStream(docker, stream, {
      operation,
      ...(signal === undefined ? {} : { signal }),
      ...(input.onEvent === undefined ? {} : { onEvent: input.onEvent }),
    });
  } catch (error) {
    if (isConnectionError(error)) throw errors.engineUnreachable(engineAddress(), error);
    throw errors.imagePushFailed(
      reference,
      error instanceof DockerStreamError ? error.detail : engineMessage(error),
    );
  }
  const digest = pushedDigest(events, operation);
  const { pushed, existing } = countLayers(events);
  return {
    repository,
    tag,
    digest,
    reference: `${repository}@${digest}`,
    layersPushed: pushed,
    layersExisting: existing,
  };
}

/** Final status per layer id: "Pushed", or "Layer already exists" / "Mounted from ...". */
export function countLayers(events: readonly DockerProgressEvent[]): {
  pushed: number;
  existing: number;
} {
  const pushed = new Set<string>();
  const existing = new Set<string>();
  for (const event of events) {
    if (event.id === undefined || event.status === undefined) continue;
    if (event.status === 'Pushed') pushed.add(event.id);
    else if (event.status === 'Layer already exists' || event.status.startsWith('Mounted from'))
      existing.add(event.id);
  }
  return { pushed: pushed.size, existing: existing.size };
}
