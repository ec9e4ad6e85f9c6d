/**
 * A deployment's lifecycle state: `running`, or `terminated` (`bentoctl terminate`: no compute,
 * no endpoint, while repository, images, release history and config stay). It lives where the
 * release history lives, in the deployment's Terraform state (release-stack-file.ts writes both
 * at plan time), so a fresh CI runner reads it with the backend's credentials alone and a plain
 * `apply` there refuses to bring a terminated deployment back (DEPLOYMENT_TERMINATED).
 *
 * A deployment never terminated has no lifecycle output and reads as running.
 */
import { z } from 'zod';
import { errors, type TerminatedRefusal } from '../errors/index.js';
import type { TerraformOutputs } from '../terraform/outputs.js';

export const LIFECYCLE_STATES = ['running', 'terminated'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** The resource and output that hold the lifecycle record in the state. */
export const LIFECYCLE_RESOURCE = 'terraform_data.bentoctl_lifecycle';
export const LIFECYCLE_OUTPUT = 'bentoctl_lifecycle';

export const lifecycleRecordSchema = z.object({
  state: z.enum(LIFECYCLE_STATES),
  /** ISO 8601 time of the plan that entered this state. */
  since: z.string(),
  /** Who entered it (release-history.ts currentActor). */
  by: z.string(),
});

export type LifecycleRecord = z.output<typeof lifecycleRecordSchema>;

/** What a plan does to the lifecycle: keep it (apply, rollback), or change it. */
export type LifecycleIntent = 'keep' | 'terminate' | 'restore';

/** The record in the state's outputs; undefined when none was ever written (running). */
export function lifecycleFromOutputs(outputs: TerraformOutputs): LifecycleRecord | undefined {
  const output = outputs[LIFECYCLE_OUTPUT];
  if (output === undefined || output.value === null) return undefined;
  const parsed = lifecycleRecordSchema.safeParse(output.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw errors.releaseHistoryInvalid(
      LIFECYCLE_OUTPUT,
      `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not a lifecycle record'}`,
    );
  }
  return parsed.data;
}

/** The state a record says, running when there is none. */
export function lifecycleOf(record: LifecycleRecord | undefined): LifecycleState {
  return record?.state ?? 'running';
}

/**
 * Refuses (DEPLOYMENT_TERMINATED, naming `refusal`'s command) when `record` says terminated: a
 * terminated deployment serves nothing to plan, move or roll back; restore brings it back first.
 */
export function refuseIfTerminated(
  refusal: TerminatedRefusal,
  record: LifecycleRecord | undefined,
): void {
  if (record !== undefined && lifecycleOf(record) === 'terminated') {
    throw errors.deploymentTerminated(refusal, record.since, record.by);
  }
}

/**
 * The record this plan writes, given the one in the state: `keep` refuses a terminated
 * deployment (a CI apply must not bring it back unasked), `restore` refuses a running one.
 */
export function nextLifecycle(
  /** The deployment and the command planning it, named by the refusal. */
  refusal: TerminatedRefusal,
  current: LifecycleRecord | undefined,
  intent: LifecycleIntent,
  actor: string,
  now: Date = new Date(),
): LifecycleRecord | undefined {
  const state = lifecycleOf(current);
  switch (intent) {
    case 'keep':
      refuseIfTerminated(refusal, current);
      return current;
    case 'terminate':
      return state === 'terminated'
        ? current
        : { state: 'terminated', since: now.toISOString(), by: actor };
    case 'restore':
      if (state !== 'terminated') throw errors.deploymentNotTerminated(refusal.deployment);
      return { state: 'running', since: now.toISOString(), by: actor };
  }
}
