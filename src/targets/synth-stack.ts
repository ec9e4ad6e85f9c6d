/**
 * Synthesizes a deployment's Terraform JSON: one cdktf stack named after the deployment (or one
 * per stack of a target with several, `<name>-<stack>`), its backend from `state:`, the target's
 * resources and the Terraform version they need, rendered with sorted keys and no cdktf metadata
 * so that the same inputs give the same bytes.
 *
 * Logical IDs: targets add every resource directly to the stack with a snake_case construct ID.
 * cdktf keeps a top-level ID as it is and only appends a path hash to nested constructs, so the
 * Terraform addresses (`aws_lb.alb`) are readable and stay put as long as the ID does. Renaming
 * one replaces the cloud resource, which the snapshot tests make visible.
 */
import { App, AzurermBackend, GcsBackend, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { ValidateProviderPresence } from 'cdktf/lib/validations/validate-provider-presence.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App as CdktfApp, S3BackendConfig, TerraformStack as CdktfStack } from 'cdktf';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { defaultStateFolder } from '../config/derived-defaults.js';
import { runtimeEnvironment } from '../config/runtime-env.js';
import type { StateConfig } from '../config/state-schema.js';
import { compareVersions, MINIMUM_TERRAFORM_VERSION } from '../terraform/binary.js';
import { getTarget } from './registry.js';
import { bentoLabels, deploymentLabels } from './stack-labels.js';
import {
  RUNNING,
  type ImageReference,
  type StackLifecycle,
  type Synthesizer,
} from './synthesizer.js';
import { stableJson } from './stable-json.js';
import { remoteStateOf, stackState } from './stack-state.js';
import { STACK_ASSETS_DIR } from '../stack-file.js';

export interface StackInput {
  readonly config: ResolvedConfig;
  readonly image: ImageReference;
  /** Content hash of the bento. */
  readonly bentoVersion: string;
  /** `service` of the bento. */
  readonly bentoName: string;
  /** @default RUNNING */
  readonly lifecycle?: StackLifecycle;
}

/** Terraform JSON as an object: `terraform`, `provider`, `resource`, `data`, `output`… */
export type TerraformJson = Readonly<Record<string, unknown>>;

export interface SynthesizedStack {
  readonly json: TerraformJson;
  /** `json` rendered with sorted keys, 2-space indent and a final newline: the file's bytes. */
  readonly text: string;
  /** Number of managed resources (data sources not counted). */
  readonly resources: number;
  readonly outputs: readonly string[];
  /** Files the stack reads beside it, by name (`assets/<name>`, SynthInput.addAsset). */
  readonly assets: Readonly<Record<string, Uint8Array>>;
}

/** One stack of a deployment; `name` is undefined for a target with one stack. */
export interface SynthesizedPart {
  readonly name: string | undefined;
  readonly stack: SynthesizedStack;
}

/**
 * Loads the target's synthesis (cdktf and its provider classes) and synthesizes the deployment's
 * one stack; a bug for a target with several (see `synthesizeStacks`).
 */
export async function synthesizeStack(input: StackInput): Promise<SynthesizedStack> {
  return synthesizeStackWith(input, await getTarget(input.config.target).loadSynthesizer());
}

/**
 * `synthesizeStack` with the target's synthesizer already loaded: the target tests hand it the
 * synthesizer they import, and get what `generate` writes.
 */
export function synthesizeStackWith<Spec>(
  input: StackInput,
  synthesize: Synthesizer<Spec>,
): SynthesizedStack {
  const parts = synthesizeStacksWith(input, synthesize);
  const [only] = parts;
  if (only === undefined || parts.length !== 1) {
    throw new Error(`${input.config.target} has ${parts.length} stacks: use synthesizeStacks`);
  }
  return only.stack;
}

/** Loads the target's synthesis; every stack of the deployment, in apply order. */
export async function synthesizeStacks(input: StackInput): Promise<readonly SynthesizedPart[]> {
  return synthesizeStacksWith(input, await getTarget(input.config.target).loadSynthesizer());
}

/**
 * Every stack of the deployment, in apply order (`TargetDefinition.stacks`), with the target's
 * synthesizer already loaded.
 */
export function synthesizeStacksWith<Spec>(
  input: StackInput,
  synthesize: Synthesizer<Spec>,
): readonly SynthesizedPart[] {
  // cdktf's App insists on an output folder; a private temporary one keeps the caller's folder
  // untouched.
  const outdir = mkdtempSync(join(tmpdir(), 'bentoctl-synth-'));
  try {
    // cdktf's validations include "is the terraform binary new enough for an import block",
    // which shells out to `terraform version` during synthesis: 50-60 ms, and a failed
    // `generate` on a machine (a review job) without terraform. plan and apply check the
    // version themselves (src/terraform/binary.ts), so synthesis runs only the structural one.
    const app = new App({ outdir, stackTraces: false, skipValidation: true });
    const stacks = addDeploymentStacks(app, input, synthesize);
    for (const { stack } of stacks) {
      const missing = new ValidateProviderPresence(stack).validate();
      if (missing.length > 0) throw new Error(`stack ${stack.node.id}: ${missing.join('; ')}`);
    }
    app.synth();
    return stacks.map(({ name, stack, assets }) => {
      const raw: unknown = JSON.parse(
        readFileSync(join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'),
      );
      const json = withoutMetadata(raw) as TerraformJson;
      return {
        name,
        stack: {
          json,
          text: stableJson(json),
          resources: countResources(json),
          outputs: Object.keys((json.output ?? {}) as object).sort(),
          assets,
        },
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Adds the deployment's one stack to a cdktf app (see `addDeploymentStacks`); a bug for a target
 * with several.
 */
export function addDeploymentStack<Spec>(
  app: CdktfApp,
  input: StackInput,
  synthesize: Synthesizer<Spec>,
): CdktfStack {
  const stacks = addDeploymentStacks(app, input, synthesize);
  const [only] = stacks;
  if (only === undefined || stacks.length !== 1) {
    throw new Error(`${input.config.target} has ${stacks.length} stacks: use addDeploymentStacks`);
  }
  return only.stack;
}

/** A cdktf stack added by `addDeploymentStacks`; `name` is undefined for a one-stack target. */
export interface DeploymentStackConstruct {
  readonly name: string | undefined;
  readonly stack: CdktfStack;
  /** What the target put beside the stack (SynthInput.addAsset), by name. */
  readonly assets: Readonly<Record<string, Uint8Array>>;
}

/**
 * Adds the deployment's stacks to a cdktf app, in apply order: one per stack of the target
 * (`TargetDefinition.stacks`; else one named after the deployment), each with its backend
 * (`stackState`), labels, environment, the target's resources and the Terraform version they
 * need, and for a later stack a way to read the earlier stacks' outputs. `synthesizeStacks`
 * drives it in memory; the benchmark drives the same function through `cdktf synth` to compare
 * the two.
 */
export function addDeploymentStacks<Spec>(
  app: CdktfApp,
  input: StackInput,
  synthesize: Synthesizer<Spec>,
): readonly DeploymentStackConstruct[] {
  const { config } = input;
  const target = getTarget(config.target);
  const folder = defaultStateFolder(config, target.stateScope(config.spec));
  const parts: (string | undefined)[] =
    target.stacks === undefined ? [undefined] : target.stacks.map((stack) => stack.name);
  const stateOf = (part: string | undefined): StateConfig =>
    part === undefined ? config.state : stackState(config.state, folder, part);
  return parts.map((part, index) => {
    const stack = new TerraformStack(
      app,
      part === undefined ? config.name : `${config.name}-${part}`,
    );
    const floors = [MINIMUM_TERRAFORM_VERSION, addBackend(stack, stateOf(part), folder)];
    const earlier = parts.slice(0, index);
    const assets: Record<string, Uint8Array> = {};
    synthesize({
      stack,
      config,
      spec: config.spec as Spec,
      image: input.image,
      bentoVersion: input.bentoVersion,
      labels: deploymentLabels(config.name),
      bentoLabels: bentoLabels({ bentoName: input.bentoName, bentoVersion: input.bentoVersion }),
      environment: escapeTemplates(runtimeEnvironment(config, { imageDigest: input.image.digest })),
      lifecycle: input.lifecycle ?? RUNNING,
      requireTerraform: (version) => {
        floors.push(version);
      },
      addAsset: (assetName, bytes) => {
        if (!/^[a-z0-9][a-z0-9._-]*$/.test(assetName) || assetName in assets) {
          throw new Error(`asset name ${assetName} is not a plain file name or already taken`);
        }
        assets[assetName] = bytes;
        return `\${path.module}/${STACK_ASSETS_DIR}/${assetName}`;
      },
      ...(part === undefined
        ? {}
        : {
            part,
            remoteState: (from: string, id: string) => {
              if (!earlier.includes(from)) {
                throw new Error(`stack ${part} reads ${from}, which is not applied before it`);
              }
              return remoteStateOf(stack, id, stateOf(from), from);
            },
          }),
    });
    // Terraform refuses an older binary at init with this constraint; plan and apply read it
    // from the stack file and refuse first, with the reason (src/terraform/binary.ts). Each
    // stack states its own: the newest of what its backend and its resources need.
    stack.addOverride('terraform.required_version', `>= ${newestVersion(floors)}`);
    return { name: part, stack, assets };
  });
}

/** The S3 backend's `use_lockfile` (state locking without DynamoDB) exists from Terraform 1.10. */
export const S3_LOCKFILE_TERRAFORM_VERSION = '1.10.0';

/**
 * Adds the backend; returns the oldest Terraform it works with. `folder` is the default state
 * folder, for configs built without `loadConfig`'s defaults.
 */
function addBackend(stack: CdktfStack, state: StateConfig, folder: string): string {
  switch (state.backend) {
    case 'local':
      // cdktf's default is an absolute path under the current folder, which differs per machine;
      // a relative path is resolved by terraform in the stack folder it runs in.
      new LocalBackend(stack, { path: state.path ?? 'terraform.tfstate' });
      return MINIMUM_TERRAFORM_VERSION;
    case 's3': {
      // cdktf 0.21 predates `use_lockfile`; the backend writes every prop in snake_case, so
      // the extra prop reaches Terraform as it is.
      const props: S3BackendConfig & { readonly useLockfile: boolean } = {
        bucket: state.bucket,
        key: state.key ?? `${folder}/terraform.tfstate`,
        region: state.region,
        encrypt: state.encrypt,
        useLockfile: state.use_lockfile,
        ...(state.dynamodb_table !== undefined ? { dynamodbTable: state.dynamodb_table } : {}),
      };
      new S3Backend(stack, props);
      return state.use_lockfile ? S3_LOCKFILE_TERRAFORM_VERSION : MINIMUM_TERRAFORM_VERSION;
    }
    case 'gcs':
      new GcsBackend(stack, {
        bucket: state.bucket,
        prefix: state.prefix ?? folder,
      });
      return MINIMUM_TERRAFORM_VERSION;
    case 'azurerm':
      new AzurermBackend(stack, {
        resourceGroupName: state.resource_group_name,
        storageAccountName: state.storage_account_name,
        containerName: state.container_name,
        key: state.key ?? `${folder}.tfstate`,
      });
      return MINIMUM_TERRAFORM_VERSION;
  }
}

/**
 * Terraform reads every JSON string as a template, so a literal `${` or `%{` in a user's env
 * value would be evaluated; doubling the sigil keeps the value as written.
 */
function escapeTemplates(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      // A function replacement: in a replacement string `$$` would mean a single `$`.
      value.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`),
    ]),
  );
}

/**
 * cdktf's `//` entries carry its version and construct paths: they change with a cdktf upgrade
 * but never with the deployment, so they would only add noise to reviewed diffs.
 */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '//')
      .map(([key, child]) => [key, withoutMetadata(child)]),
  );
}

/** The newest of `x.y.z` versions. */
function newestVersion(versions: readonly string[]): string {
  return versions.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
}

function countResources(json: TerraformJson): number {
  const resources = (json.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(resources).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}
