/**
 * Builds the planned image with the engine's classic builder (its `/build` endpoint), from a
 * context streamed as tar. The engine reports a failed step inside a 200 stream; this turns it
 * into IMAGE_BUILD_FAILED naming the step and showing its output.
 */
import type Dockerode from 'dockerode';
import { errors } from '../errors/index.js';
import { ensureImage } from './base-image.js';
import { buildContext } from './build-context.js';
import {
  builtImageId,
  DockerStreamError,
  followDockerStream,
  type DockerProgressEvent,
} from './docker-stream.js';
import { engineAddress, engineMessage, isConnectionError } from './engine.js';
import { NODE_IMAGE, type ImagePlan } from './image-plan.js';
import type { RuntimeBundle } from './runtime-bundle.js';

export interface BuildImageInput {
  readonly docker: Dockerode;
  readonly plan: ImagePlan;
  readonly runtime: RuntimeBundle;
  readonly onEvent?: (phase: 'pull' | 'build', event: DockerProgressEvent) => void;
  readonly signal?: AbortSignal;
}

export interface BuiltImage {
  readonly imageId: string;
  readonly localImage: string;
  /** Layer diff ids, base first: the runtime and bento layers are the last two. */
  readonly layers: readonly string[];
  readonly sizeBytes: number;
  /** The image's environment (`NAME=value`), its base's included. */
  readonly env: readonly string[];
}

const STEP_LINE = /^Step (\d+\/\d+) : (.*)$/;

export async function buildImage(input: BuildImageInput): Promise<BuiltImage> {
  const { docker, plan, runtime, signal, onEvent } = input;
  const pullEvents =
    onEvent === undefined
      ? {}
      : { onEvent: (event: DockerProgressEvent) => onEvent('pull', event) };
  const fromImages =
    plan.template === 'Dockerfile.cuda' ? [NODE_IMAGE, plan.baseImage] : [plan.baseImage];
  for (const image of fromImages) {
    await ensureImage(docker, image, {
      platform: plan.platform,
      ...pullEvents,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  const context = buildContext({
    dockerfile: plan.dockerfile,
    runtime: runtime.files,
    bentoDir: plan.bento.dir,
    bentoFiles: plan.bento.files,
  });
  const abort = AbortSignal.any([context.failed, ...(signal === undefined ? [] : [signal])]);
  const operation = `build of ${plan.localImage}`;
  let events: DockerProgressEvent[];
  try {
    const stream = await docker.buildImage(context.stream, {
      t: plan.localImage,
      platform: plan.platform,
      rm: true,
      forcerm: true,
      abortSignal: abort,
    });
    events = await followDockerStream(docker, stream, {
      operation,
      signal: abort,
      ...(onEvent === undefined
        ? {}
        : { onEvent: (event: DockerProgressEvent) => onEvent('build', event) }),
    });
  } catch (error) {
    if (context.failed.aborted) {
      const reason: unknown = context.failed.reason;
      throw errors.imageBuildFailed(
        plan.localImage,
        'sending the build context',
        engineMessage(reason),
        [],
      );
    }
    throw buildError(plan.localImage, plan.baseImage, error);
  }
  const imageId = builtImageId(events, operation);
  const inspected = await docker.getImage(imageId).inspect();
  return {
    imageId,
    localImage: plan.localImage,
    layers: inspected.RootFS.Layers ?? [],
    sizeBytes: inspected.Size,
    env: inspected.Config?.Env ?? [],
  };
}

/** The BentoctlError for a failed build: which step failed, with the output it printed. */
export function buildError(localImage: string, baseImage: string, error: unknown): Error {
  if (isConnectionError(error)) return errors.engineUnreachable(engineAddress(), error);
  if (!(error instanceof DockerStreamError)) {
    return errors.imageBuildFailed(localImage, 'the build request', engineMessage(error), []);
  }
  // The engine prints "Step n/m : <instruction>" before each step: the last one is the culprit.
  const tail = error.outputTail;
  let stepIndex = -1;
  for (let i = tail.length - 1; i >= 0 && stepIndex < 0; i--)
    if (STEP_LINE.test(tail[i] ?? '')) stepIndex = i;
  const match = stepIndex >= 0 ? STEP_LINE.exec(tail[stepIndex] ?? '') : null;
  const instruction = match?.[2] ?? '';
  if (/^FROM\s/i.test(instruction)) return errors.baseImageUnavailable(baseImage, error.detail);
  const step = match ? `step ${match[1]} (${instruction})` : 'an unknown step';
  return errors.imageBuildFailed(
    localImage,
    step,
    error.detail,
    stepIndex >= 0 ? tail.slice(stepIndex + 1) : tail,
  );
}
