/**
 * Copies an image by digest from one repository to another through the registry HTTP API: the
 * manifest (or the index and each child manifest), its config and layer blobs, then the manifest
 * PUT with the exact bytes and media type it was served with, so its digest is unchanged; then
 * the destination is asked which digest it serves. Works between any two registries that follow
 * the OCI distribution spec (ECR, Artifact Registry, ACR, Docker Hub, distribution).
 */
import { errors } from '../../errors/index.js';
import type { RegistryFamily } from '../registry-auth/push-credentials.js';
import type { RegistryCredentials } from '../registry-auth/registry-credentials.js';
import { copyBlob, type BlobOutcome, type BlobTransferOptions } from './blob-transfer.js';
import {
  expectServed,
  putManifest,
  putTag,
  readManifest,
  type ServedManifest,
} from './manifest-transfer.js';
import { RegistryClient, type Fetch } from './registry-client.js';

/** One side of a copy and how to authenticate to it. */
export interface CopyEndpoint {
  readonly repository: string;
  readonly family: RegistryFamily;
  /** Undefined: anonymous (an open registry). */
  readonly credentials: RegistryCredentials | undefined;
  /** Where the credentials came from, for errors, e.g. `an ECR login`. */
  readonly credentialsSource: string;
}

export interface CopyImageInput {
  readonly source: CopyEndpoint & { readonly digest: string };
  readonly destination: CopyEndpoint;
  /** Also points this tag at the image in the destination. @default - no tag */
  readonly tag?: string | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: Fetch;
  readonly transfer?: BlobTransferOptions;
  /** One line per manifest and blob copied. */
  readonly onProgress?: (line: string) => void;
}

export interface CopyImageResult {
  /** The digest the destination serves, equal to the source's. */
  readonly digest: string;
  /** Manifests written: 1, or 1 + the platforms of an index. */
  readonly manifests: number;
  readonly blobs: Readonly<Record<BlobOutcome, number>>;
  readonly tag: string | undefined;
}

/** Layers registries do not hold (Windows base layers): they stay where their URLs point. */
const FOREIGN = /nondistributable|foreign/;

export async function copyImage(input: CopyImageInput): Promise<CopyImageResult> {
  const say = input.onProgress ?? (() => undefined);
  const source = new RegistryClient({
    ...input.source,
    role: 'source',
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const destination = new RegistryClient({
    ...input.destination,
    role: 'destination',
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const blobs: Record<BlobOutcome, number> = { present: 0, mounted: 0, uploaded: 0 };
  const copied = new Set<string>();

  const copyBlobsOf = async (served: ServedManifest, platform: string) => {
    if (served.manifest.kind !== 'image') return;
    const list = served.manifest.blobs;
    for (const [index, blob] of list.entries()) {
      if (copied.has(blob.digest) || blob.urls !== undefined || FOREIGN.test(blob.mediaType))
        continue;
      const label = `${index === 0 ? 'config' : `layer ${index} of ${list.length - 1}`}${platform}`;
      const outcome = await copyBlob(source, destination, blob, label, input.transfer);
      blobs[outcome] += 1;
      copied.add(blob.digest);
      say(`  ${label} ${short(blob.digest)} ${outcome}`);
    }
  };

  const top = await readManifest(source, input.source.digest);
  let manifests = 1;
  if (top.manifest.kind === 'index') {
    for (const [index, child] of top.manifest.manifests.entries()) {
      const platform = ` (platform ${index + 1} of ${top.manifest.manifests.length})`;
      const served = await readManifest(source, child.digest);
      if (served.manifest.kind === 'index') {
        throw errors.registryRequestFailed(
          `Reading ${source.repository}@${child.digest}`,
          'an index inside an index is not copied',
        );
      }
      await copyBlobsOf(served, platform);
      await putManifest(destination, served, child.digest);
      manifests += 1;
      say(`  manifest${platform} ${short(child.digest)} written`);
    }
  } else {
    await copyBlobsOf(top, '');
  }
  await putManifest(destination, top, top.digest);
  if (input.tag !== undefined) await putTag(destination, top, input.tag);

  await expectServed(destination, top.digest, top.digest);
  if (input.tag !== undefined) await expectServed(destination, input.tag, top.digest);
  return { digest: top.digest, manifests, blobs, tag: input.tag };
}

function short(digest: string): string {
  return digest.slice(0, 19);
}
