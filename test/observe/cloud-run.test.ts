/**
 * google-cloud-run: Cloud Logging entries.list and Cloud Run Admin API v2 services.get and
 * revisions.list, answered by scripted replies shaped as Google documents them (LogEntry with
 * jsonPayload, Service with trafficStatuses and conditions, Revision with labels).
 */
import { describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { cloudRunLogSource } from '../../src/observe/cloud-run-logs.js';
import { cloudRunStatus } from '../../src/observe/cloud-run-status.js';
import { googleApi } from '../../src/observe/google-api.js';
import { scriptedFetch, type ScriptedReply } from '../helpers/scripted-fetch.js';

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const tokens = async () => ({ getAccessToken: async () => 'ya29.test' });

function where(replies: ScriptedReply[]) {
  const scripted = scriptedFetch(replies);
  return {
    calls: scripted.calls,
    options: {
      project: 'acme-ml',
      region: 'europe-west1',
      service: 'iris-prod',
      call: googleApi({ tokens, fetch: scripted.fetch }),
    },
  };
}

const PERMISSION_DENIED = {
  error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' },
};

describe('Cloud Logging reader', () => {
  it('GIVEN a revision WHEN read THEN the filter names the service, region, revision, stdout/stderr and start, and entries keep their severity', async () => {
    const { calls, options } = where([
      [
        200,
        {
          entries: [
            {
              insertId: 'abc1',
              logName: 'projects/acme-ml/logs/run.googleapis.com%2Fstdout',
              resource: {
                type: 'cloud_run_revision',
                labels: {
                  service_name: 'iris-prod',
                  revision_name: 'iris-prod-00002-xyz',
                  location: 'europe-west1',
                  project_id: 'acme-ml',
                  configuration_name: 'iris-prod',
                },
              },
              timestamp: '2026-12-01T08:00:01.500Z',
              receiveTimestamp: '2026-12-01T08:00:01.700Z',
              severity: 'WARNING',
              labels: { instanceId: '00f46b9285c3b1d2b1c3f6b1e4a0bc63d1' },
              jsonPayload: {
                message: 'request',
                requestId: 'r-9',
                status: 429,
                latencyMs: 0.4,
                pid: 1,
              },
            },
          ],
          nextPageToken: 'next',
        },
      ],
      [
        200,
        {
          entries: [
            {
              insertId: 'abc2',
              resource: {
                type: 'cloud_run_revision',
                labels: { revision_name: 'iris-prod-00002-xyz' },
              },
              timestamp: '2026-12-01T08:00:02.000Z',
              severity: 'ERROR',
              textPayload: 'Error: boom\n    at main.js:1',
            },
          ],
        },
      ],
    ]);
    const source = cloudRunLogSource(options);

    const page = await source.read({ startMs: T0, revision: 'iris-prod-00002-xyz', limit: 100 });

    expect(calls[0]).toMatchObject({
      method: 'POST',
      url: 'https://logging.googleapis.com/v2/entries:list',
      authorization: 'Bearer ya29.test',
      body: {
        resourceNames: ['projects/acme-ml'],
        orderBy: 'timestamp asc',
        pageSize: 100,
        filter:
          'resource.type="cloud_run_revision" AND resource.labels.service_name="iris-prod" AND resource.labels.location="europe-west1" AND resource.labels.revision_name="iris-prod-00002-xyz" AND logName=("projects/acme-ml/logs/run.googleapis.com%2Fstdout" OR "projects/acme-ml/logs/run.googleapis.com%2Fstderr") AND timestamp>="2026-12-01T08:00:00.000Z"',
      },
    });
    expect(calls[1]?.body).toMatchObject({ pageToken: 'next', pageSize: 99 });
    expect(page.entries).toMatchObject([
      {
        id: 'abc1',
        severity: 'WARNING',
        revision: 'iris-prod-00002-xyz',
        instance: '00f46b9285c3',
        fields: { requestId: 'r-9', status: 429 },
        timeMs: T0 + 1500,
      },
      { id: 'abc2', severity: 'ERROR', message: 'Error: boom\n    at main.js:1', fields: null },
    ]);
  });

  it('GIVEN a 403 WHEN read THEN CLOUD_ACCESS_DENIED names roles/logging.viewer', async () => {
    const { options } = where([[403, PERMISSION_DENIED]]);

    const error = (await cloudRunLogSource(options)
      .read({ startMs: T0, limit: 10 })
      .catch((e: unknown) => e)) as BentoctlError;

    expect(error).toBeInstanceOf(BentoctlError);
    expect(error.code).toBe('CLOUD_ACCESS_DENIED');
    expect(error.message).toContain('PERMISSION_DENIED The caller does not have permission');
    expect(error.hint).toContain('roles/logging.viewer');
  });

  it('GIVEN no credentials WHEN read THEN CLOUD_CREDENTIALS_MISSING says how to sign in', async () => {
    const options = {
      ...where([]).options,
      call: googleApi({
        tokens: async () => ({
          getAccessToken: async () => {
            throw new Error('Could not load the default credentials.');
          },
        }),
      }),
    };

    const error = (await cloudRunLogSource(options)
      .read({ startMs: T0, limit: 10 })
      .catch((e: unknown) => e)) as BentoctlError;

    expect(error.code).toBe('CLOUD_CREDENTIALS_MISSING');
    expect(error.hint).toContain('gcloud auth application-default login');
  });
});

const SERVICE_PATH = 'projects/acme-ml/locations/europe-west1/services/iris-prod';
const revision = (name: string, digit: string, bentoVersion: string) => ({
  name: `${SERVICE_PATH}/revisions/${name}`,
  createTime: '2026-12-01T07:00:00Z',
  labels: { 'bento-version': bentoVersion, 'managed-by': 'bentoctl' },
  scaling: { minInstanceCount: 1, maxInstanceCount: 4 },
  containers: [
    {
      name: 'runtime',
      image: `europe-west1-docker.pkg.dev/acme-ml/iris-prod/iris-prod@sha256:${digit.repeat(64)}`,
    },
  ],
});

describe('Cloud Run status', () => {
  it('GIVEN a 90/10 split and a failing newest revision WHEN asked THEN traffic, bento versions and the failed condition show', async () => {
    const { calls, options } = where([
      [
        200,
        {
          name: SERVICE_PATH,
          uri: 'https://iris-prod-abc-ew.a.run.app',
          template: { scaling: { minInstanceCount: 1, maxInstanceCount: 4 } },
          traffic: [
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'iris-prod-00001-abc',
              percent: 90,
            },
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'iris-prod-00002-def',
              percent: 10,
            },
          ],
          trafficStatuses: [
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'iris-prod-00001-abc',
              percent: 90,
            },
            {
              type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION',
              revision: 'iris-prod-00002-def',
              percent: 10,
            },
          ],
          latestReadyRevision: `${SERVICE_PATH}/revisions/iris-prod-00002-def`,
          latestCreatedRevision: `${SERVICE_PATH}/revisions/iris-prod-00003-ghi`,
          terminalCondition: {
            type: 'Ready',
            state: 'CONDITION_FAILED',
            reason: 'CONTAINER_MISSING',
            message:
              "Revision 'iris-prod-00003-ghi' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=3000 environment variable.",
            lastTransitionTime: '2026-12-01T08:05:00Z',
          },
          conditions: [
            {
              type: 'RoutesReady',
              state: 'CONDITION_SUCCEEDED',
              lastTransitionTime: '2026-12-01T07:30:00Z',
            },
          ],
          reconciling: false,
        },
      ],
      [
        200,
        {
          revisions: [
            revision('iris-prod-00003-ghi', 'c', 'v3'),
            revision('iris-prod-00002-def', 'b', 'v2'),
            revision('iris-prod-00001-abc', 'a', 'v1'),
            revision('iris-prod-00000-old', '0', 'v0'),
          ],
        },
      ],
    ]);

    const live = await cloudRunStatus(options);

    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `GET https://run.googleapis.com/v2/${SERVICE_PATH}`,
      `GET https://run.googleapis.com/v2/${SERVICE_PATH}/revisions?pageSize=20`,
    ]);
    expect(live.rollout).toBe('failed (CONTAINER_MISSING)');
    expect(live.revisions.map((r) => [r.id, r.trafficPercent, r.bentoVersion, r.role])).toEqual([
      ['iris-prod-00003-ghi', 0, 'v3', 'latest created, not ready'],
      ['iris-prod-00002-def', 10, 'v2', 'latest ready'],
      ['iris-prod-00001-abc', 90, 'v1', 'serving'],
    ]);
    expect(live.events[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('failed to start and listen'),
    });
  });

  it('GIVEN traffic to the latest revision WHEN asked THEN the latest ready revision gets it', async () => {
    const { options } = where([
      [
        200,
        {
          trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
          latestReadyRevision: `${SERVICE_PATH}/revisions/iris-prod-00002-def`,
          latestCreatedRevision: `${SERVICE_PATH}/revisions/iris-prod-00002-def`,
          terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
        },
      ],
      [200, { revisions: [revision('iris-prod-00002-def', 'b', 'v2')] }],
    ]);

    const live = await cloudRunStatus(options);

    expect(live.rollout).toBe('ready');
    expect(live.revisions).toMatchObject([{ id: 'iris-prod-00002-def', trafficPercent: 100 }]);
  });

  it('GIVEN a 404 WHEN asked THEN not found; GIVEN a 403 THEN CLOUD_ACCESS_DENIED names roles/run.viewer', async () => {
    const missing = await cloudRunStatus(
      where([[404, { error: { code: 404, status: 'NOT_FOUND', message: 'not found' } }]]).options,
    );
    const denied = (await cloudRunStatus(where([[403, PERMISSION_DENIED]]).options).catch(
      (e: unknown) => e,
    )) as BentoctlError;

    expect(missing.found).toBe(false);
    expect(denied.code).toBe('CLOUD_ACCESS_DENIED');
    expect(denied.hint).toContain(
      'roles/run.viewer on the Cloud Run service iris-prod in project acme-ml',
    );
  });
});
