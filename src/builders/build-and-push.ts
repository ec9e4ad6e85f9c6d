/**
 * `bentoctl build` as a library: plan, bundle the runtime, build, and with `push` push to the
 * destination's registry and write the build record that `generate` pins by digest.
 */
import type Dockerode from 'dockerode';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { writeBuildRecord } from '../deploy/deployment-records.js';
import { buildImage } from './build-image.js';
import { cudaImageWarnings } from './cuda-image-check.js';
import { contextEntries } from './build-context.js';
import type { DockerProgressEvent } from './docker-stream.js';
import { connectEngine } from './engine.js';
import { describeDestination, knownRepository } from './image-destination.js';
import { planImage, type ImagePlan, type ImagePlanOptions } from './image-plan.js';
import { pushImage } from './push-image.js';
import type { ProgressPhase } from './progress.js';
import {
  resolvePushTarget,
  type AuthProviders,
  type RegistryFamily,
} from './registry-auth/push-credentials.js';
import { bundleRuntime, type RuntimeBundle } from './runtime-bundle.js';

export interface BuildRequest extends ImagePlanOptions {
  readonly config: ResolvedConfig;
  readonly push: boolean;
  /** @default a client for DOCKER_HOST or the default socket */
  readonly docker?: Dockerode;
  readonly auth?: AuthProviders;
  /** Engine progress messages, for the progress display. */
  readonly onProgress?: (phase: ProgressPhase, event: DockerProgressEvent) => void;
  /** One line per stage ("Building ...", "Pushing ..."). */
  readonly onStage?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface BuildResult {
  readonly deployment: string;
  readonly bento: { readonly name: string; readonly version: string };
  readonly image: string;
  readonly imageId: string;
  readonly baseImage: string;
  readonly platform: string;
  readonly sizeBytes: number;
  /** Bytes of the runtime files (bundle + onnxruntime linux-x64). */
  readonly runtimeBytes: number;
  readonly layers: readonly string[];
  readonly buildMs: number;
  /**
   * The repository the image is pushed to, or with no --push the one --push would send it to,
   * so a pull-request plan can name the image it would deploy. Null only for the default ECR
   * repository before a push: its account id comes from the ECR login.
   */
  readonly repository: string | null;
  /** The tag the image gets there: the bento version. */
  readonly tag: string;
  readonly push: PushSummary | null;
  readonly warnings: readonly string[];
}

export interface PushSummary {
  readonly repository: string;
  readonly registry: RegistryFamily;
  readonly tag: string;
  readonly digest: string;
  readonly reference: string;
  readonly layersPushed: number;
  readonly layersExisting: number;
  readonly buildRecord: string;
  readonly notes: readonly string[];
}

export interface DryRunResult {
  readonly deployment: string;
  readonly bento: { readonly name: string; readonly version: string; readonly dir: string };
  readonly image: string;
  readonly baseImage: string;
  readonly platform: string;
  readonly template: string;
  readonly dockerfile: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly context: {
    readonly files: number;
    readonly bytes: number;
    readonly runtimeBytes: number;
  };
  /** Where --push would go (an ECR account is only known after login). */
  readonly pushTo: string;
  readonly warnings: readonly string[];
}

export async function buildAndPushImage(request: BuildRequest): Promise<BuildResult> {
  const { config, signal, onProgress, onStage } = request;
  const plan = await planImage(config, request);
  const docker = await connectEngine(request.docker);
  const runtime = await bundleRuntime({ device: plan.device });
  onStage?.(`Building ${plan.localImage} from ${plan.baseImage} (${plan.platform})`);
  const started = performance.now();
  const built = await buildImage({
    docker,
    plan,
    runtime,
    ...(onProgress === undefined ? {} : { onEvent: onProgress }),
    ...(signal === undefined ? {} : { signal }),
  });
  const buildMs = Math.round(performance.now() - started);
  const push = request.push ? await pushBuilt(request, docker, plan, built.imageId) : null;
  return {
    deployment: config.name,
    bento: { name: plan.bento.name, version: plan.bento.version },
    image: plan.localImage,
    imageId: built.imageId,
    baseImage: plan.baseImage,
    platform: plan.platform,
    sizeBytes: built.sizeBytes,
    runtimeBytes: runtime.bytes,
    layers: built.layers,
    buildMs,
    repository: push?.repository ?? knownRepository(plan.destination),
    tag: push?.tag ?? plan.tag,
    push,
    // The built image's environment includes its base's, which says whether CUDA is there.
    warnings: [
      ...runtime.warnings,
      ...(plan.device === 'gpu' ? cudaImageWarnings(plan.baseImage, built.env) : []),
    ],
  };
}

async function pushBuilt(
  request: BuildRequest,
  docker: Dockerode,
  plan: ImagePlan,
  imageId: string,
): Promise<PushSummary> {
  const { onProgress, onStage, signal } = request;
  onStage?.(`Pushing to ${describeDestination(plan.destination)}`);
  const target = await resolvePushTarget(plan.destination, request.auth);
  for (const note of target.notes) onStage?.(note);
  const pushed = await pushImage({
    docker,
    image: imageId,
    repository: target.repository,
    tag: plan.tag,
    ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
    ...(onProgress === undefined
      ? {}
      : { onEvent: (event: DockerProgressEvent) => onProgress('push', event) }),
    ...(signal === undefined ? {} : { signal }),
  });
  const buildRecord = deploymentPathsOf(request.config).buildRecord;
  writeBuildRecord(buildRecord, {
    repository: pushed.repository,
    digest: pushed.digest,
    tag: pushed.tag,
    bento_version: plan.bento.version,
  });
  return {
    repository: pushed.repository,
    registry: target.family,
    tag: pushed.tag,
    digest: pushed.digest,
    reference: pushed.reference,
    layersPushed: pushed.layersPushed,
    layersExisting: pushed.layersExisting,
    buildRecord,
    notes: target.notes,
  };
}

/** Everything but the engine: what would be built and where it would be pushed. */
export async function dryRunBuild(
  request: Pick<BuildRequest, 'config' | 'baseImage' | 'registry'>,
): Promise<DryRunResult> {
  const plan = await planImage(request.config, request);
  const runtime: RuntimeBundle = await bundleRuntime({ device: plan.device });
  const entries = contextEntries({
    dockerfile: plan.dockerfile,
    runtime: runtime.files,
    bentoDir: plan.bento.dir,
    bentoFiles: plan.bento.files,
  });
  return {
    deployment: plan.deployment,
    bento: { name: plan.bento.name, version: plan.bento.version, dir: plan.bento.dir },
    image: plan.localImage,
    baseImage: plan.baseImage,
    platform: plan.platform,
    template: plan.template,
    dockerfile: plan.dockerfile,
    labels: plan.labels,
    context: {
      files: entries.length,
      bytes: entries.reduce((sum, entry) => sum + entry.size, 0),
      runtimeBytes: runtime.bytes,
    },
    pushTo: `${describeDestination(plan.destination)}:${plan.tag}`,
    warnings: runtime.warnings,
  };
}
