/**
 * Azure Container Registry: the registry must exist before anything is pushed to it, but the
 * azure-aks stack that declares it (and its resource group) is applied only after the first
 * push, because it pins the pushed digest. So, as for ECR and Artifact Registry, `build --push`
 * creates a missing registry through Azure Resource Manager, with the settings the stack gives it
 * (src/targets/azure-aks/registry.ts); the stack then adopts the group and the registry with
 * import blocks and applies the rest of its tags.
 */
import { errors } from '../../errors/index.js';
import type { FetchLike } from './acr.js';

const ARM = 'https://management.azure.com';
const REGISTRY_API_VERSION = '2023-07-01';
const RESOURCE_GROUP_API_VERSION = '2021-04-01';
const PERMISSION_HINT =
  'Creating the registry needs Contributor (or Owner) on its resource group, or on the subscription when the group does not exist yet; AcrPush alone only pushes. Grant the role to the identity `az login` or AZURE_CLIENT_ID uses, or create the registry yourself (`az acr create`) and rerun.';

/** The deployment's registry as the stack declares it. */
export interface AcrRegistryTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Azure location of the group and the registry, e.g. `westeurope`. */
  readonly location: string;
  readonly name: string;
  readonly sku: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface EnsureAcrOptions {
  readonly fetch?: FetchLike;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  /** Bounds the whole look-up, creation and wait. @default 120000 */
  readonly timeoutMs?: number;
}

type Reply = Awaited<ReturnType<FetchLike>>;

/** Creates the registry (and its resource group) when missing; says which it was. */
export async function ensureAcrRegistry(
  target: AcrRegistryTarget,
  armAccessToken: string,
  options: EnsureAcrOptions = {},
): Promise<'exists' | 'created'> {
  const fetchImpl: FetchLike = options.fetch ?? (fetch as FetchLike);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = { authorization: `Bearer ${armAccessToken}`, 'content-type': 'application/json' };
  const label = `${target.name.toLowerCase()}.azurecr.io`;
  const where = `the ACR registry ${target.name} in resource group ${target.resourceGroup} (subscription ${target.subscriptionId})`;
  const groupUrl = `${ARM}/subscriptions/${target.subscriptionId}/resourcegroups/${target.resourceGroup}?api-version=${RESOURCE_GROUP_API_VERSION}`;
  const registryUrl = `${ARM}/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${target.name}?api-version=${REGISTRY_API_VERSION}`;

  const call = async (method: 'GET' | 'PUT', url: string, action: string, body?: object) => {
    try {
      return await fetchImpl(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw errors.registryRepositoryFailed(
        label,
        timedOut
          ? `could not ${action} ${where} within ${timeoutMs} ms`
          : `could not ${action} ${where}: ${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
        timedOut ? undefined : 'Check network access to management.azure.com, then rerun.',
      );
    }
  };
  const failure = async (action: string, reply: Reply, hint?: string) =>
    errors.registryRepositoryFailed(
      label,
      `could not ${action} ${where} (HTTP ${reply.status}): ${(await reply.text()).slice(0, 300)}`,
      reply.status === 401 || reply.status === 403 ? PERMISSION_HINT : hint,
    );

  /** Waits until the registry's provisioningState is Succeeded: pushing earlier fails. */
  const waitUntilProvisioned = async (state: string | undefined): Promise<void> => {
    while (state !== 'Succeeded') {
      if (state === 'Failed' || state === 'Canceled') {
        throw errors.registryRepositoryFailed(label, `creating ${where} ended as ${state}`);
      }
      if (Date.now() + pollIntervalMs > deadline) {
        throw errors.registryRepositoryFailed(
          label,
          `${where} was not ready within ${timeoutMs} ms (provisioningState ${state ?? 'unknown'})`,
          'Check the registry in the Azure portal; rerun `bentoctl build --push` once it is ready.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      const polled = await call('GET', registryUrl, 'wait for');
      if (!polled.ok) throw await failure('wait for', polled);
      state = provisioningState(await polled.text());
    }
  };

  const found = await call('GET', registryUrl, 'look up');
  if (found.ok) {
    // A registry still being created (by another build) is not ready for a push yet.
    await waitUntilProvisioned(provisioningState(await found.text()) ?? 'Succeeded');
    return 'exists';
  }
  if (found.status !== 404) throw await failure('look up', found);

  // Only a missing group is created: a PUT on an existing one would replace its tags.
  const group = await call('GET', groupUrl, 'look up the resource group of');
  if (group.status === 404) {
    const createdGroup = await call('PUT', groupUrl, 'create the resource group of', {
      location: target.location,
      tags: { ...target.tags },
    });
    if (!createdGroup.ok) throw await failure('create the resource group of', createdGroup);
  } else if (!group.ok) {
    throw await failure('look up the resource group of', group);
  }

  const created = await call('PUT', registryUrl, 'create', {
    location: target.location,
    sku: { name: target.sku },
    // As the stack declares it: pulls only through the cluster's AcrPull role.
    properties: { adminUserEnabled: false },
    tags: { ...target.tags },
  });
  if (created.status === 409) {
    // A conflict is either the registry created meanwhile (another build) or a state this
    // build cannot fix (the provider not registered, a deletion under way); look again to tell.
    const conflict = (await created.text()).slice(0, 300);
    const again = await call('GET', registryUrl, 'look up');
    if (!again.ok) {
      throw errors.registryRepositoryFailed(
        label,
        `could not create ${where} (HTTP 409): ${conflict}`,
        'Read the conflict above: register the Microsoft.ContainerRegistry provider (`az provider register -n Microsoft.ContainerRegistry`), or wait for a deletion to finish, then rerun.',
      );
    }
    await waitUntilProvisioned(provisioningState(await again.text()) ?? 'Succeeded');
    return 'exists';
  }
  if (!created.ok) {
    throw await failure(
      'create',
      created,
      'ACR names are unique across Azure: if the name is taken, set spec.acr_name to another one.',
    );
  }
  await waitUntilProvisioned(provisioningState(await created.text()));
  return 'created';
}

function provisioningState(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { properties?: { provisioningState?: unknown } };
    const state = value.properties?.provisioningState;
    return typeof state === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Where the subscription can come from, in order. */
export const AZURE_SUBSCRIPTION_ENV = ['ARM_SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID'] as const;

/** The registry as the config knows it; the subscription may still come from the environment. */
export type AcrRegistryContext = Omit<AcrRegistryTarget, 'subscriptionId'> & {
  /** spec.subscription_id, when the config sets it. */
  readonly subscriptionId?: string;
};

/**
 * spec.subscription_id, else ARM_SUBSCRIPTION_ID (what the azurerm provider reads at apply), else
 * AZURE_SUBSCRIPTION_ID (what the Azure CLI and SDKs read).
 */
export function acrRegistryTarget(
  context: AcrRegistryContext,
  env: NodeJS.ProcessEnv = process.env,
): AcrRegistryTarget {
  const subscriptionId =
    context.subscriptionId ??
    AZURE_SUBSCRIPTION_ENV.map((name) => env[name]).find(
      (value): value is string => value !== undefined && value !== '',
    );
  if (subscriptionId === undefined) {
    throw errors.azureSubscriptionUnset(
      `creating the ACR registry ${context.name} before the push`,
      AZURE_SUBSCRIPTION_ENV,
    );
  }
  return { ...context, subscriptionId };
}
