/**
 * azure-aks under canary or blue-green: each Deployment's share of the requests, as the Istio
 * `VirtualService` the workload stack writes (src/targets/azure-aks/release-routing.ts) routes
 * them now: one HTTP route, `release`, whose destinations are the two Deployments' Services
 * (`<service>.<namespace>.svc.cluster.local`) with their weights. This is the mesh's word, not
 * the state's: between an apply that moved the state and the routes it had yet to update, the
 * two differ, and `status` shows the state's split beside this one.
 */
import { BentoctlError } from '../errors/index.js';
import { ISTIO_NETWORKING_API } from '../targets/azure-aks/ingress-gateway.js';
import type { KubeAccess } from './aks-credentials.js';
import { kubeGetJson } from './kube-api.js';

interface VirtualService {
  readonly spec?: {
    readonly http?: readonly {
      readonly name?: string;
      readonly route?: readonly {
        readonly destination?: { readonly host?: string };
        readonly weight?: number;
      }[];
    }[];
  };
}

/** Each Deployment's percent, by Deployment name (its Service has the same name). */
export type TrafficShares = ReadonlyMap<string, number>;

/**
 * The shares; undefined without a VirtualService (a rolling deployment has none), or with a
 * reason when it could not be read (status shows the rest without it).
 */
export async function aksTrafficShares(
  access: KubeAccess,
  workload: { readonly namespace: string; readonly name: string },
): Promise<{ readonly shares?: TrafficShares; readonly unread?: string }> {
  const { namespace, name } = workload;
  let found: VirtualService | undefined;
  try {
    found = await kubeGetJson<VirtualService>(access, {
      path: `/apis/${ISTIO_NETWORKING_API}/namespaces/${namespace}/virtualservices/${name}`,
      verb: 'get',
      resource: 'virtualservices.networking.istio.io',
      namespace,
    });
  } catch (error) {
    if (!(error instanceof BentoctlError)) throw error;
    return { unread: `${error.message} ${error.hint ?? ''}`.trim() };
  }
  const routes = found?.spec?.http?.find((route) => route.name === 'release')?.route;
  if (routes === undefined) return {};
  const shares = new Map<string, number>();
  for (const route of routes) {
    const service = route.destination?.host?.split('.')[0];
    // The stack writes both weights, 0 included.
    if (service !== undefined && service !== '')
      shares.set(service, (shares.get(service) ?? 0) + (route.weight ?? 0));
  }
  return { shares };
}
