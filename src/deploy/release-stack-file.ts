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
import { STACK_FILE } from '../terraform/stack-writer.js';
import { stableJson } from '../targets/stable-json.js';
import { parseReleaseHistory, type Release } from './deployment-records.js';
import { LIFECYCLE_OUTPUT, LIFECYCLE_RESOURCE, type LifecycleRecord } from './lifecycle-state.js';
import { writeFileAtomic } from '../write-atomic.js';

export const RELEASE_FILE = 'bentoctl-release.tf.json';
export const RELEASE_RESOURCE = 'terraform_data.bentoctl_release_history';
export const RELEASE_OUTPUT = 'bentoctl_releases';

/** The history in the state's outputs; empty before the first apply that recorded one. */
export function historyFromOutputs(outputs: TerraformOutputs): Release[] {
  const output = outputs[RELEASE_OUTPUT];
  if (output === undefined || output.value === null) return [];
  return parseReleaseHistory(output.value, RELEASE_OUTPUT);
}

/** The stack's own outputs, without the history and lifecycle (bentoctl's bookkeeping). */
export function withoutHistory(outputs: TerraformOutputs): TerraformOutputs {
  return Object.fromEntries(
    Object.entries(outputs).filter(
      ([name]) => name !== RELEASE_OUTPUT && name !== LIFECYCLE_OUTPUT,
    ),
  );
}

/**
 * Writes `<stackDir>/bentoctl-release.tf.json` holding `history`, and the lifecycle record once
 * there is one (a deployment never terminated has none, so its plans stay as they were).
 */
export function writeReleaseFile(
  stackDir: string,
  history: readonly Release[],
  lifecycle?: LifecycleRecord,
): string {
  const dependsOn = stackResources(stackDir);
  const [type, name] = RELEASE_RESOURCE.split('.') as [string, string];
  const [, lifecycleName] = LIFECYCLE_RESOURCE.split('.') as [string, string];
  const json = {
    resource: {
      [type]: {
        [name]: { input: history.map(literalStrings), depends_on: dependsOn },
        ...(lifecycle === undefined
          ? {}
          : { [lifecycleName]: { input: literalStrings(lifecycle), depends_on: dependsOn } }),
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
    },
  };
  const file = join(stackDir, RELEASE_FILE);
  writeFileAtomic(file, stableJson(json));
  return file;
}

/** `type.name` of every managed resource in the generated stack, sorted. */
function stackResources(stackDir: string): string[] {
  const stack = JSON.parse(readFileSync(join(stackDir, STACK_FILE), 'utf8')) as {
    resource?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(stack.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .filter((address) => address !== RELEASE_RESOURCE && address !== LIFECYCLE_RESOURCE)
    .sort();
}

function literalStrings(entry: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entry).map(([key, value]) => [
      key,
      typeof value === 'string' ? literal(value) : value,
    ]),
  );
}

/** Terraform reads JSON strings as templates; doubled sigils keep `${` and `%{` literal. */
function literal(value: string): string {
  return value.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}
