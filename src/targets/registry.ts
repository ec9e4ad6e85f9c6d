/**
 * The one place that knows every target. It imports only the light definitions (schemas and
 * checks); each target's Terraform synthesis is loaded on demand.
 */
import { awsEc2Gpu } from './aws-ec2-gpu/definition.js';
import { awsEcs } from './aws-ecs/definition.js';
import { azureAks } from './azure-aks/definition.js';
import { googleCloudRun } from './google-cloud-run/definition.js';
import { TARGET_NAMES, type TargetName } from './names.js';
import type { ReleaseStrategy } from '../config/release-schema.js';
import type { TargetDefinition } from './target.js';

// Each definition is typed by its own spec schema; the registry holds them by the common
// interface, which TypeScript cannot widen to on its own because `preflight` takes the spec.
const TARGETS: Readonly<Record<TargetName, TargetDefinition>> = {
  'aws-ecs': awsEcs as unknown as TargetDefinition,
  'google-cloud-run': googleCloudRun as unknown as TargetDefinition,
  'azure-aks': azureAks as unknown as TargetDefinition,
  'aws-ec2-gpu': awsEc2Gpu as unknown as TargetDefinition,
};

/** All targets in display order. */
export function listTargets(): readonly TargetDefinition[] {
  return TARGET_NAMES.map((name) => TARGETS[name]);
}

export function getTarget(name: TargetName): TargetDefinition {
  return TARGETS[name];
}

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/**
 * Whether `target` shifts a `strategy` release's traffic itself once bentoctl approves the
 * candidate, and rolls a rejected one back (TargetDefinition.approvalStrategies).
 */
export function platformApproves(target: TargetName, strategy: ReleaseStrategy): boolean {
  return TARGETS[target].approvalStrategies?.includes(strategy) === true;
}

/** How `config`'s target names its candidate's own URL, in its words (TargetDefinition.candidateUrl). */
export function candidateUrlWords(config: {
  readonly name: string;
  readonly target: TargetName;
  readonly spec: Readonly<Record<string, unknown>>;
}): { readonly kind: 'revision-tag' | 'release'; readonly words: string } {
  const { candidateUrl } = TARGETS[config.target];
  return { kind: candidateUrl.kind, words: candidateUrl.describe(config.name, config.spec) };
}
