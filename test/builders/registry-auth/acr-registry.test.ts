import { describe, expect, it } from 'vitest';
import {
  acrRegistryTarget,
  ensureAcrRegistry,
  type AcrRegistryTarget,
} from '../../../src/builders/registry-auth/acr-registry.js';
import { bentoctlFailure } from '../../helpers/bentoctl-failure.js';
import { scriptedFetch, type ScriptedCall } from '../../helpers/scripted-fetch.js';

const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
const TARGET: AcrRegistryTarget = {
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'iris-prod-rg',
  location: 'westeurope',
  name: 'irisprodacr',
  sku: 'Standard',
  tags: { deployment: 'iris-prod', 'managed-by': 'bentoctl', team: 'ml' },
};
const ARM = `https://management.azure.com/subscriptions/${SUBSCRIPTION}`;
const GROUP = `${ARM}/resourcegroups/iris-prod-rg?api-version=2021-04-01`;
const REGISTRY = `${ARM}/resourceGroups/iris-prod-rg/providers/Microsoft.ContainerRegistry/registries/irisprodacr?api-version=2023-07-01`;

const registry = (state: string) => ({
  name: 'irisprodacr',
  properties: { provisioningState: state },
});
const NOT_FOUND = [404, { error: { code: 'ResourceNotFound' } }] as [number, unknown];

const said = (calls: ScriptedCall[]) => calls.map((call) => `${call.method} ${call.url}`);

describe('ACR registry before a push', () => {
  it('GIVEN the registry exists THEN it is only looked up, with the ARM token', async () => {
    const arm = scriptedFetch([[200, registry('Succeeded')]]);
    expect(await ensureAcrRegistry(TARGET, 'arm-token', { fetch: arm.fetch })).toBe('exists');
    expect(arm.calls).toEqual([
      { method: 'GET', url: REGISTRY, body: undefined, authorization: 'Bearer arm-token' },
    ]);
  });

  it('GIVEN neither the registry nor its group THEN both are created as the stack declares them', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      NOT_FOUND,
      [201, { name: 'iris-prod-rg', properties: { provisioningState: 'Succeeded' } }],
      [200, registry('Succeeded')],
    ]);
    expect(await ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch, pollIntervalMs: 1 })).toBe(
      'created',
    );
    expect(said(arm.calls)).toEqual([
      `GET ${REGISTRY}`,
      `GET ${GROUP}`,
      `PUT ${GROUP}`,
      `PUT ${REGISTRY}`,
    ]);
    expect(arm.calls[2]?.body).toEqual({ location: 'westeurope', tags: TARGET.tags });
    expect(arm.calls[3]?.body).toEqual({
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: { adminUserEnabled: false },
      tags: TARGET.tags,
    });
  });

  it('GIVEN the group exists THEN it is never PUT (that would replace its tags)', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      [200, { name: 'iris-prod-rg', tags: { owner: 'someone' } }],
      [200, registry('Succeeded')],
    ]);
    expect(await ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch })).toBe('created');
    expect(said(arm.calls)).toEqual([`GET ${REGISTRY}`, `GET ${GROUP}`, `PUT ${REGISTRY}`]);
  });

  it('GIVEN creation still running THEN the registry is polled until Succeeded', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      [200, {}],
      [201, registry('Creating')],
      [200, registry('Creating')],
      [200, registry('Succeeded')],
    ]);
    expect(await ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch, pollIntervalMs: 1 })).toBe(
      'created',
    );
    expect(said(arm.calls).slice(3)).toEqual([`GET ${REGISTRY}`, `GET ${REGISTRY}`]);
  });

  it('GIVEN creation that never finishes THEN it gives up after the timeout and says so', async () => {
    const replies: [number, unknown][] = [NOT_FOUND, [200, {}], [201, registry('Creating')]];
    for (let n = 0; n < 100; n += 1) replies.push([200, registry('Creating')]);
    const arm = scriptedFetch(replies);
    const error = await bentoctlFailure(
      ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch, pollIntervalMs: 5, timeoutMs: 40 }),
    );
    expect(error.code).toBe('REGISTRY_REPOSITORY_FAILED');
    expect(error.message).toContain('was not ready within 40 ms (provisioningState Creating)');
    expect(error.message).toContain('irisprodacr.azurecr.io');
    expect(arm.calls.length).toBeLessThan(20);
  });

  it('GIVEN creation that fails THEN the error says so instead of waiting', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      [200, {}],
      [201, registry('Creating')],
      [200, registry('Failed')],
    ]);
    const error = await bentoctlFailure(
      ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch, pollIntervalMs: 1 }),
    );
    expect(error.message).toContain('ended as Failed');
  });

  it('GIVEN a conflict because another build created it THEN the registry counts as existing', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      [200, {}],
      [409, { error: { code: 'Conflict' } }],
      [200, registry('Succeeded')],
    ]);
    expect(await ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch })).toBe('exists');
    expect(said(arm.calls).at(-1)).toBe(`GET ${REGISTRY}`);
  });

  it('GIVEN a conflict that is not the registry (provider not registered) THEN it fails with the reason', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      [200, {}],
      [409, { error: { code: 'MissingSubscriptionRegistration' } }],
      NOT_FOUND,
    ]);
    const error = await bentoctlFailure(ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch }));
    expect(error.message).toContain('HTTP 409');
    expect(error.message).toContain('MissingSubscriptionRegistration');
    expect(error.hint).toContain('az provider register -n Microsoft.ContainerRegistry');
  });

  it('GIVEN no right to create THEN the error names the roles needed', async () => {
    const arm = scriptedFetch([
      NOT_FOUND,
      NOT_FOUND,
      [403, { error: { code: 'AuthorizationFailed' } }],
    ]);
    const error = await bentoctlFailure(ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch }));
    expect(error.code).toBe('REGISTRY_REPOSITORY_FAILED');
    expect(error.message).toContain(
      'could not create the resource group of the ACR registry irisprodacr in resource group iris-prod-rg',
    );
    expect(error.message).toContain('HTTP 403');
    expect(error.hint).toContain('Contributor');
    expect(error.hint).toContain('subscription');
  });

  it('GIVEN no right to read THEN the look-up fails with the same hint', async () => {
    const arm = scriptedFetch([[401, { error: { code: 'InvalidAuthenticationToken' } }]]);
    const error = await bentoctlFailure(ensureAcrRegistry(TARGET, 't', { fetch: arm.fetch }));
    expect(error.message).toContain('could not look up');
    expect(error.hint).toContain('Contributor');
  });

  it('GIVEN the network fails THEN the error names the call, not a stack trace', async () => {
    const error = await bentoctlFailure(
      ensureAcrRegistry(TARGET, 't', {
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      }),
    );
    expect(error.code).toBe('REGISTRY_REPOSITORY_FAILED');
    expect(error.message).toContain(`GET ${REGISTRY} failed: fetch failed`);
  });
});

describe('the subscription of the registry', () => {
  const { subscriptionId: _omit, ...withoutSubscription } = TARGET;

  it('GIVEN spec.subscription_id THEN it wins over the environment', () => {
    expect(acrRegistryTarget(TARGET, { ARM_SUBSCRIPTION_ID: 'from-env' }).subscriptionId).toBe(
      SUBSCRIPTION,
    );
  });

  it('GIVEN no spec value THEN ARM_SUBSCRIPTION_ID, else AZURE_SUBSCRIPTION_ID', () => {
    expect(
      acrRegistryTarget(withoutSubscription, {
        ARM_SUBSCRIPTION_ID: 'arm',
        AZURE_SUBSCRIPTION_ID: 'azure',
      }).subscriptionId,
    ).toBe('arm');
    expect(
      acrRegistryTarget(withoutSubscription, {
        ARM_SUBSCRIPTION_ID: '',
        AZURE_SUBSCRIPTION_ID: 'azure',
      }).subscriptionId,
    ).toBe('azure');
  });

  it('GIVEN none of them THEN a usage error names the field and the variables', async () => {
    const error = await bentoctlFailure(
      Promise.resolve().then(() => acrRegistryTarget(withoutSubscription, {})),
    );
    expect(error.code).toBe('AZURE_SUBSCRIPTION_UNSET');
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('spec.subscription_id');
    expect(error.message).toContain('ARM_SUBSCRIPTION_ID');
    expect(error.message).toContain('AZURE_SUBSCRIPTION_ID');
    expect(error.message).toContain('irisprodacr');
  });
});
