/**
 * Artifact Registry repositories must exist before anything is pushed to them, but the
 * deployment stack that declares one is applied only after the first push. So, as for ECR,
 * `build --push` creates a missing repository (plain Docker format; the stack then adopts it
 * with an import block and applies its labels and cleanup policies).
 */
import { errors } from '../../errors/index.js';
import type { FetchLike } from './acr.js';

const API = 'https://artifactregistry.googleapis.com/v1';
const PERMISSION_HINT =
  'The credentials need artifactregistry.repositories.get and .create on the project (roles/artifactregistry.admin), and the Artifact Registry API must be enabled.';

export interface ArtifactRepository {
  readonly location: string;
  readonly project: string;
  readonly repositoryId: string;
}

/** `<location>-docker.pkg.dev/<project>/<repository>/<image>`; undefined for other hosts. */
export function artifactRepositoryOf(imageRepository: string): ArtifactRepository | undefined {
  const match = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/.+$/.exec(imageRepository);
  if (match === null) return undefined;
  const [, location = '', project = '', repositoryId = ''] = match;
  return { location, project, repositoryId };
}

export interface EnsureOptions {
  readonly fetch?: FetchLike;
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/** Creates the repository when it does not exist; says which it was. */
export async function ensureArtifactRepository(
  repository: ArtifactRepository,
  accessToken: string,
  options: EnsureOptions = {},
): Promise<'exists' | 'created'> {
  const fetchImpl: FetchLike = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const parent = `${API}/projects/${repository.project}/locations/${repository.location}/repositories`;
  const label = `${repository.location}-docker.pkg.dev/${repository.project}/${repository.repositoryId}`;

  const found = await fetchImpl(`${parent}/${repository.repositoryId}`, {
    method: 'GET',
    headers,
    signal,
  });
  if (found.ok) return 'exists';
  if (found.status !== 404) throw failure(label, 'look it up', found.status, await found.text());

  const created = await fetchImpl(
    `${parent}?repositoryId=${encodeURIComponent(repository.repositoryId)}`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({
        format: 'DOCKER',
        description: 'Created by bentoctl build; managed by the deployment stack',
      }),
      signal,
    },
  );
  // Someone else created it between the two calls: that is what we wanted.
  if (created.status === 409) return 'exists';
  if (!created.ok) throw failure(label, 'create it', created.status, await created.text());

  // Creation is a long-running operation; the push fails if it starts before it is done.
  let operation = parseOperation(await created.text());
  const deadline = Date.now() + timeoutMs;
  while (!operation.done) {
    if (Date.now() > deadline) {
      throw errors.registryRepositoryFailed(
        label,
        `creation did not finish within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1000));
    const polled = await fetchImpl(`${API}/${operation.name}`, { method: 'GET', headers, signal });
    if (!polled.ok)
      throw failure(label, 'wait for its creation', polled.status, await polled.text());
    operation = parseOperation(await polled.text());
  }
  if (operation.error !== undefined) {
    throw errors.registryRepositoryFailed(
      label,
      `creation failed: ${operation.error.message ?? 'no message'}`,
    );
  }
  return 'created';
}

interface Operation {
  readonly name: string;
  readonly done?: boolean;
  readonly error?: { readonly message?: string };
}

function parseOperation(text: string): Operation {
  const value: unknown = JSON.parse(text);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as Operation).name !== 'string'
  ) {
    throw errors.registryRepositoryFailed(
      'Artifact Registry',
      `unexpected answer ${text.slice(0, 200)}`,
    );
  }
  return value as Operation;
}

function failure(label: string, action: string, status: number, body: string) {
  const detail = `could not ${action} (HTTP ${status}): ${body.slice(0, 300)}`;
  return errors.registryRepositoryFailed(
    label,
    detail,
    status === 403 || status === 401 ? PERMISSION_HINT : undefined,
  );
}
