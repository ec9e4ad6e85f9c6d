/**
 * What `bentoctl build` will make, decided before anything runs (and all `--dry-run` prints):
 * the bento, base image, Dockerfile, labels, local name and where a push goes.
 */
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { listBentoFiles } from '../bento/content-hash.js';
import { BENTO_FILE } from '../bento/bento-file.js';
import type { BentoManifest } from '../bento/manifest.js';
import { validateBento } from '../bento/validate.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { errors } from '../errors/index.js';
import { packageRoot } from '../package-root.js';
import { renderDockerfile, type DockerfileTemplate } from './dockerfile.js';
import { imageDestination, type ImageDestination } from './image-destination.js';
import { localImageTag } from './local-image.js';

/** Node 24, the newer of the two supported LTS lines (22 and 24). */
export const DEFAULT_CPU_BASE_IMAGE = 'node:24-bookworm-slim';
/** CUDA 12 + cuDNN 9: what onnxruntime 1.30's CUDA execution provider links against. */
export const DEFAULT_CUDA_BASE_IMAGE = 'nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04';
/** Where the GPU image copies node from: the CUDA image runs the same Node as the CPU one. */
export const NODE_IMAGE = DEFAULT_CPU_BASE_IMAGE;
export const IMAGE_PLATFORM = 'linux/amd64';
/** Namespace of bentoctl's own image labels. */
export const LABEL_PREFIX = 'io.bentoctl';

export interface ImagePlanOptions {
  /** `--base-image`. @default image.base_image, else the device's default */
  readonly baseImage?: string;
  /** `--registry`: push to `<registry>/<deployment>` with the Docker config's credentials. */
  readonly registry?: string;
}

export interface ImagePlan {
  readonly deployment: string;
  readonly device: 'cpu' | 'gpu';
  readonly platform: string;
  readonly baseImage: string;
  readonly baseImageSource: 'flag' | 'config' | 'default';
  readonly template: DockerfileTemplate;
  readonly bento: {
    readonly name: string;
    readonly version: string;
    readonly dir: string;
    /** The config's `bento:` value, as written. */
    readonly source: string;
    /** Content files, relative to `dir`, `.bentoignore` applied. */
    readonly files: readonly string[];
  };
  /** `bentoctl/<deployment>:<version>` in the local engine. */
  readonly localImage: string;
  /** The bento version: the same bento always gets the same tag. */
  readonly tag: string;
  readonly destination: ImageDestination;
  readonly port: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly dockerfile: string;
}

export async function planImage(
  config: ResolvedConfig,
  options: ImagePlanOptions = {},
): Promise<ImagePlan> {
  const reference = config.bentoReference;
  if (reference.kind === 'archive') throw errors.bentoArchiveUnsupported(reference.path);
  // The full check (models load in onnxruntime) before a long build, with file:line errors.
  const { manifest } = await validateBento(reference.path);
  const files = listBentoFiles(manifest.dir);
  checkModelsShipped(manifest, files);

  const device = config.runtime.device;
  const baseImageSource =
    options.baseImage !== undefined
      ? 'flag'
      : config.image.base_image !== undefined
        ? 'config'
        : 'default';
  const baseImage =
    options.baseImage ??
    config.image.base_image ??
    (device === 'gpu' ? DEFAULT_CUDA_BASE_IMAGE : DEFAULT_CPU_BASE_IMAGE);
  // Only the default CUDA base lacks node; a custom base must bring its own.
  const template: DockerfileTemplate =
    device === 'gpu' && baseImageSource === 'default' ? 'Dockerfile.cuda' : 'Dockerfile';
  const labels = imageLabels(manifest, config.bento, baseImage);
  const port = config.runtime.port;
  return {
    deployment: config.name,
    device,
    platform: config.image.platform,
    baseImage,
    baseImageSource,
    template,
    bento: {
      name: manifest.service,
      version: manifest.version,
      dir: manifest.dir,
      source: config.bento,
      files,
    },
    localImage: localImageTag(config.name, manifest.version),
    tag: manifest.version,
    destination: imageDestination(config, options.registry),
    port,
    labels,
    dockerfile: renderDockerfile({
      template,
      baseImage,
      nodeImage: NODE_IMAGE,
      port,
      ...(config.runtime.grpc.enabled ? { grpcPort: config.runtime.grpc.port } : {}),
      labels,
    }),
  };
}

export function imageLabels(
  manifest: BentoManifest,
  source: string,
  baseImage: string,
): Record<string, string> {
  return {
    'org.opencontainers.image.title': manifest.service,
    'org.opencontainers.image.version': manifest.version,
    ...(manifest.description === undefined
      ? {}
      : { 'org.opencontainers.image.description': manifest.description }),
    'org.opencontainers.image.base.name': baseImage,
    [`${LABEL_PREFIX}.bento.name`]: manifest.service,
    [`${LABEL_PREFIX}.bento.version`]: manifest.version,
    [`${LABEL_PREFIX}.bento.source`]: source,
    [`${LABEL_PREFIX}.version`]: bentoctlVersion(),
  };
}

/** A model that `.bentoignore` leaves out would be missing from the image: refuse early. */
function checkModelsShipped(manifest: BentoManifest, files: readonly string[]): void {
  const shipped = new Set(files);
  const file = `${manifest.dir}${sep}${BENTO_FILE}`;
  const diagnostics = manifest.models.flatMap((model, index) => {
    const path = relative(manifest.dir, model.file).split(sep).join('/');
    return shipped.has(path)
      ? []
      : [
          {
            location: { file, line: 1, column: 1 },
            field: `models[${index}].path`,
            message: `${path} is excluded by .bentoignore, so the image would not contain it; remove the pattern that matches it`,
          },
        ];
  });
  if (diagnostics.length > 0) throw errors.bentoInvalid(file, diagnostics);
}

let cachedVersion: string | undefined;
function bentoctlVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return cachedVersion;
}
