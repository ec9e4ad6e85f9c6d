/**
 * How many pods a canary or blue-green candidate on azure-aks may run (release-routing.ts), kept
 * apart from the stack so that validate (preflight.ts) counts them without loading cdktf.
 */
import type { ReleaseConfig } from '../../config/release-schema.js';
import type { AzureAksSpec } from './spec.js';

/**
 * Canary: its share of max_instances, rounded up, at least one (its autoscaler's ceiling; it
 * scales by CPU like the stable pods). Blue-green: one, as it takes no traffic until promoted,
 * and a promote rolls the stable Deployment, at full size, to its image.
 */
export function candidateMaxReplicas(
  spec: Pick<AzureAksSpec, 'max_instances'>,
  release: ReleaseConfig,
): number {
  if (release.strategy !== 'canary') return 1;
  return Math.max(1, Math.ceil((spec.max_instances * release.percent) / 100));
}
