/**
 * The contract between a stack whose traffic bentoctl moves (google-cloud-run and aws-ec2-gpu
 * under canary or blue-green) and the deploy layer. Such a stack names its own revision and takes the split as a
 * Terraform variable, `bentoctl_traffic`, whose default sends everything to that revision; at
 * plan time bentoctl writes the split it decided from the state into
 * `bentoctl-traffic.auto.tfvars.json` beside the stack (src/deploy/traffic-plan.ts). So
 * `generate` stays byte-identical for identical inputs, and the state decides who gets what.
 */
import { createHash } from 'node:crypto';
import type { SynthInput } from './synthesizer.js';

export const TRAFFIC_VARIABLE = 'bentoctl_traffic';
/**
 * The release phase (traffic-state.ts), for a stack that runs its candidate as separate
 * compute (azure-aks: a Deployment that exists only in `canary` and `waiting`), which the split
 * alone cannot tell from an aborted release. bentoctl writes it only when the stack declares it.
 */
export const TRAFFIC_PHASE_VARIABLE = 'bentoctl_traffic_phase';
/** The tag on the newest revision: its own URL (`https://candidate---<host>`) for smoke tests. */
export const CANDIDATE_TAG = 'candidate';
/** The output with the candidate's own URL, which `apply` waits on instead of the endpoint. */
export const CANDIDATE_ENDPOINT_OUTPUT = 'candidate_endpoint';

/** One revision's share of the requests. */
export interface TrafficTarget {
  readonly revision: string;
  /** 0-100; the shares of a split add up to 100. */
  readonly percent: number;
  /**
   * Marks the revision the stack's `candidate_endpoint` reaches (CANDIDATE_TAG), or null: a
   * Cloud Run traffic tag, the group aws-ec2-gpu's candidate listener forwards to. Only Cloud
   * Run calls it a tag; `plan` and `release status` name it in each target's words
   * (TargetDefinition.candidateUrl).
   */
  readonly tag: string | null;
  /**
   * The candidate after `release abort`: where a stack keeps capacity per revision
   * (aws-ec2-gpu's instance groups), it keeps none for this one. @default - absent (serving)
   */
  readonly drained?: true;
}

/** The variable's Terraform type. */
export const TRAFFIC_VARIABLE_TYPE =
  'list(object({ revision = string, percent = number, tag = optional(string) }))';

/**
 * The same with `drained`, for stacks that size a group per revision (aws-ec2-gpu). Terraform
 * drops the attribute for stacks that declare the type above, so one split fits both.
 */
export const DRAINABLE_TRAFFIC_VARIABLE_TYPE =
  'list(object({ revision = string, percent = number, tag = optional(string), drained = optional(bool, false) }))';

/** All traffic to `revision`, which keeps the candidate tag: the variable's default. */
export function settledSplit(revision: string): TrafficTarget[] {
  return [{ revision, percent: 100, tag: CANDIDATE_TAG }];
}

/**
 * `<service>-<12 hex>`: a revision name that changes exactly when what the revision runs does
 * (the image and the config, the release section and the state backend aside), so a re-plan of
 * the same inputs names the same revision and any change names a new one, as Cloud Run requires.
 */
export function revisionName(service: string, content: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12);
  return `${service}-${hash}`;
}

/**
 * The revision name of what `input`'s stack runs: its image, environment, bento and config, the
 * config's `release:` section, state backend, source file and bento reference aside (a promote,
 * a move of the state or of the file must not name a new revision).
 */
export function runningRevision(
  service: string,
  input: Pick<SynthInput<unknown>, 'config' | 'image' | 'environment' | 'bentoLabels'>,
): string {
  const {
    source: _source,
    bentoReference: _bento,
    release: _release,
    state: _state,
    ...runs
  } = input.config;
  return revisionName(service, {
    image: input.image.ref,
    environment: input.environment,
    bento: input.bentoLabels,
    config: runs,
  });
}

/**
 * A stack whose platform shifts the traffic only once bentoctl approves (aws-ecs blue-green,
 * through an ECS lifecycle hook) takes the approval as this variable instead of a split: the
 * revision that may take all traffic and the one that was refused. Its default approves the
 * stack's own revision, which names it for the plan step (src/deploy/traffic-plan.ts), as the
 * split variable's default does.
 */
export const APPROVAL_VARIABLE = 'bentoctl_approval';

/** The approval variable's value; `rejected` is '' when nothing was refused. */
export interface ReleaseApproval {
  readonly approved: string;
  readonly rejected: string;
}

/** The approval variable's Terraform type. */
export const APPROVAL_VARIABLE_TYPE = 'object({ approved = string, rejected = string })';

/** `revision` approved, nothing refused: the approval variable's default. */
export function approvedRevision(revision: string): ReleaseApproval {
  return { approved: revision, rejected: '' };
}
