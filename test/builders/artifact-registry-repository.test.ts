import { describe, expect, it } from 'vitest';
import {
  artifactRepositoryOf,
  ensureArtifactRepository,
} from '../../src/builders/registry-auth/artifact-registry-repository.js';
import { bentoctlFailure } from '../helpers/bentoctl-failure.js';
import { scriptedFetch } from '../helpers/scripted-fetch.js';

const REPOSITORY = { location: 'europe-west4', project: 'my-ml-project', repositoryId: 'iris-run' };
const BASE = 'https://artifactregistry.googleapis.com/v1';

describe('Artifact Registry repository before a push', () => {
  it('GIVEN an image path THEN location, project and repository are read from it', () => {
    expect(
      artifactRepositoryOf('europe-west4-docker.pkg.dev/my-ml-project/iris-run/iris-run'),
    ).toEqual(REPOSITORY);
    expect(artifactRepositoryOf('gcr.io/my-ml-project/iris')).toBeUndefined();
    expect(
      artifactRepositoryOf('europe-west4-docker.pkg.dev/my-ml-project/iris-run'),
    ).toBeUndefined();
  });

  it('GIVEN the repository exists THEN nothing is created', async () => {
    const api = scriptedFetch([
      [200, { name: 'projects/my-ml-project/locations/europe-west4/repositories/iris-run' }],
    ]);
    expect(await ensureArtifactRepository(REPOSITORY, 'token-1', { fetch: api.fetch })).toBe(
      'exists',
    );
    expect(api.calls).toEqual([
      {
        method: 'GET',
        url: `${BASE}/projects/my-ml-project/locations/europe-west4/repositories/iris-run`,
        body: undefined,
        authorization: 'Bearer token-1',
      },
    ]);
  });

  it('GIVEN a missing repository THEN it is created as DOCKER and the operation is awaited', async () => {
    const api = scriptedFetch([
      [404, { error: { code: 404 } }],
      [200, { name: 'projects/my-ml-project/locations/europe-west4/operations/op-1', done: false }],
      [200, { name: 'projects/my-ml-project/locations/europe-west4/operations/op-1', done: true }],
    ]);
    expect(
      await ensureArtifactRepository(REPOSITORY, 't', { fetch: api.fetch, pollIntervalMs: 1 }),
    ).toBe('created');
    expect(api.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `GET ${BASE}/projects/my-ml-project/locations/europe-west4/repositories/iris-run`,
      `POST ${BASE}/projects/my-ml-project/locations/europe-west4/repositories?repositoryId=iris-run`,
      `GET ${BASE}/projects/my-ml-project/locations/europe-west4/operations/op-1`,
    ]);
    expect(api.calls[1]?.body).toMatchObject({ format: 'DOCKER' });
  });

  it('GIVEN a race where another push created it THEN a 409 counts as existing', async () => {
    const api = scriptedFetch([
      [404, {}],
      [409, { error: { status: 'ALREADY_EXISTS' } }],
    ]);
    expect(await ensureArtifactRepository(REPOSITORY, 't', { fetch: api.fetch })).toBe('exists');
  });

  it('GIVEN no permission THEN the error names the repository, the status and the role to grant', async () => {
    const api = scriptedFetch([[403, { error: { message: 'Permission denied' } }]]);
    const error = await bentoctlFailure(
      ensureArtifactRepository(REPOSITORY, 't', { fetch: api.fetch }),
    );
    expect(error.code).toBe('REGISTRY_REPOSITORY_FAILED');
    expect(error.kind).toBe('external');
    expect(error.message).toContain('europe-west4-docker.pkg.dev/my-ml-project/iris-run');
    expect(error.message).toContain('HTTP 403');
    expect(error.hint).toContain('roles/artifactregistry.admin');
  });

  it('GIVEN the creation operation fails THEN its message is shown', async () => {
    const api = scriptedFetch([
      [404, {}],
      [200, { name: 'operations/op-2', done: true, error: { message: 'Location not supported' } }],
    ]);
    const error = await bentoctlFailure(
      ensureArtifactRepository(REPOSITORY, 't', { fetch: api.fetch }),
    );
    expect(error.message).toContain('Location not supported');
  });
});
