/**
 * Where the release history lives: in the deployment's own Terraform state, as the `input` of a
 * built-in `terraform_data` resource that bentoctl adds beside the generated stack
 * (`<stack>/bentoctl-release.tf.json`), with an output that exposes it.
 *
 * Why the state and not a file or a registry tag: every backend (local, s3, gcs, azurerm) holds
 * it with no extra SDK or credentials beyond the ones plan already needs; writes go through the
 * backend's state lock, so two CI jobs cannot interleave; a fresh runner reads it with
 * `terraform output`; and it is recorded in the same apply as the change it describes.
 * The resource depends on every resource of the stack, so Terraform updates it last and only
 * when all of them applied: a failed apply records nothing. The history is read before the plan
 * and the plan is saved; if another runner applies in between, Terraform refuses the now stale
 * saved plan, so an entry is never lost to a race.
 *
 * Why here and not in `generate`: the history is read from the state at plan time, which
 * `generate` (no terraform, no credentials, byte-identical output) never touches. So the deploy
 * layer writes this file after `terraform init`, before `terraform plan`; `generate` output stays
 * deterministic, and the provider-free test stacks get the same history as the real ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformOutputs } from '../terraform/outputs.js';
import { STACK_FILE } from '../stack-file.js';
import { stableJson } from '../targets/stable-json.js';
import { errors } from '../errors/index.js';
import { parseReleaseHistory, type Release } from './deployment-records.js';
import { LIFECYCLE_OUTPUT, LIFECYCLE_RESOURCE, type LifecycleRecord } from './lifecycle-state.js';
import { trafficStateSchema, type TrafficState } from './traffic-state.js';
import { writeFileAtomic } from '../write-atomic.js';

export const RELEASE_FILE = 'bentoctl-release.tf.json';
export const RELEASE_RESOURCE = 'terraform_data.bentoctl_release_history';
export const RELEASE_OUTPUT = 'bentoctl_releases';
/** Canary and blue-green on a stack whose traffic bentoctl moves: who gets what (traffic-state.ts). */
export const TRAFFIC_RESOURCE = 'terraform_data.bentoctl_release_traffic';
export const TRAFFIC_OUTPUT = 'bentoctl_traffic';
/** The split for the stack's `bentoctl_traffic` variable, which terraform reads by itself. */
export const TRAFFIC_VARS_FILE = 'bentoctl-traffic.auto.tfvars.json';
/** The approval for the stack's `bentoctl_approval` variable (aws-ecs blue-green). */
export const APPROVAL_VARS_FILE = 'bentoctl-approval.auto.tfvars.json';

/** The history in the state's outputs; empty before the first apply that recorded one. */
export function historyFromOutputs(outputs: TerraformOutputs): Release[] {
  const output = outputs[RELEASE_OUTPUT];
  if (output === undefined || output.value === null) return [];
  return parseReleaseHistory(output.value, RELEASE_OUTPUT);
}

/** The traffic state in the outputs; undefined when bentoctl does not move this traffic. */
export function trafficFromOutputs(outputs: TerraformOutputs): TrafficState | undefined {
  const output = outputs[TRAFFIC_OUTPUT];
  if (output === undefined || output.value === null) return undefined;
  const parsed = trafficStateSchema.safeParse(output.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw errors.releaseHistoryInvalid(
      TRAFFIC_OUTPUT,
      `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not a traffic state'}`,
    );
  }
  return parsed.data;
}

/** bentoctl's own outputs: the history, the lifecycle and the traffic state. */
const BOOKKEEPING_OUTPUTS: ReadonlySet<string> = new Set([
  RELEASE_OUTPUT,
  LIFECYCLE_OUTPUT,
  TRAFFIC_OUTPUT,
]);

/** The stack's own outputs, without bentoctl's bookkeeping (history, lifecycle, traffic). */
export function withoutHistory(outputs: TerraformOutputs): TerraformOutputs {
  return Object.fromEntries(
    Object.entries(outputs).filter(([name]) => !BOOKKEEPING_OUTPUTS.has(name)),
  );
}

/** What the release file holds beside the history. */
export interface ReleaseFileExtras {
  /** The lifecycle record once there is one (a deployment never terminated has none). */
  readonly lifecycle?: LifecycleRecord;
  /** When bentoctl moves the stack's traffic (canary, blue-green): its traffic state. */
  readonly traffic?: TrafficState;
}

/**
 * Writes `<stackDir>/bentoctl-release.tf.json` holding `history`, the lifecycle record once there
 * is one (so the plans of a deployment never terminated stay as they were) and, when bentoctl
 * moves the stack's traffic, its traffic state.
 */
export function writeReleaseFile(
  stackDir: string,
  history: readonly Release[],
  extras: ReleaseFileExtras = {},
): string {
  const { lifecycle, traffic } = extras;
  const dependsOn = stackResources(stackDir);
  const [type, name] = RELEASE_RESOURCE.split('.') as [string, string];
  const [, lifecycleName] = LIFECYCLE_RESOURCE.split('.') as [string, string];
  const [, trafficName] = TRAFFIC_RESOURCE.split('.') as [string, string];
  const json = {
    resource: {
      [type]: {
        [name]: { input: history.map(literals), depends_on: dependsOn },
        ...(lifecycle === undefined
          ? {}
          : { [lifecycleName]: { input: literals(lifecycle), depends_on: dependsOn } }),
        ...(traffic === undefined
          ? {}
          : { [trafficName]: { input: literals(traffic), depends_on: dependsOn } }),
      },
    },
    output: {
      [RELEASE_OUTPUT]: {
        description: 'bentoctl release history, oldest first (bentoctl releases -f <config>).',
        value: `\${${RELEASE_RESOURCE}.output}`,
      },
      ...(lifecycle === undefined
        ? {}
        : {
            [LIFECYCLE_OUTPUT]: {
              description: 'bentoctl lifecycle state: running or terminated (bentoctl status).',
              value: `\${${LIFECYCLE_RESOURCE}.output}`,
            },
          }),
      ...(traffic === undefined
        ? {}
        : {
            [TRAFFIC_OUTPUT]: {
              description: 'bentoctl traffic split state (bentoctl release status -f <config>).',
              value: `\${${TRAFFIC_RESOURCE}.output}`,
            },
          }),
    },
  };
  const file = join(stackDir, RELEASE_FILE);
  writeFileAtomic(file, stableJson(json));
  return file;
}

/** An object with its strings kept literal. */
function literals(entry: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entry).map(([key, value]) => [
      key,
      typeof value === 'string' ? literal(value) : value,
    ]),
  );
}

/** `type.name` of every managed resource in the generated stack, sorted. */
function stackResources(stackDir: string): string[] {
  const stack = JSON.parse(readFileSync(join(stackDir, STACK_FILE), 'utf8')) as {
    resource?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(stack.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .filter(
      (address) =>
        address !== RELEASE_RESOURCE &&
        address !== LIFECYCLE_RESOURCE &&
        address !== TRAFFIC_RESOURCE,
    )
    .sort();
}

/** Terraform reads JSON strings as templates; doubled sigils keep `${` and `%{` literal. */
function literal(value: string): string {
  return value.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}
