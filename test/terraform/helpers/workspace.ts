/**
 * A throwaway folder laid out as bentoctl expects: a bento, a deployment config and a
 * `.bentoctl/<name>/stack/main.tf.json` made of Terraform's built-in `terraform_data`
 * resources, which plan and apply with no provider download. Each workspace has its own
 * TF_DATA_DIR so suites never share terraform's working files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentPaths, type DeploymentPaths } from '../../../src/config/deployment-paths.js';
import { loadConfig } from '../../../src/config/load.js';
import { writeBuildRecord } from '../../../src/deploy/deployment-records.js';
import type { ResolvedConfig } from '../../../src/config/resolved-config.js';
import type { StackWriter } from '../../../src/terraform/stack-writer.js';

/** What the test stack models: a service with an image, a replica count and a secret. */
export interface StackShape {
  readonly image: string;
  readonly replicas: number;
  /** Changing it replaces `terraform_data.revision` (triggers_replace). */
  readonly revision: string;
  readonly endpoint: string;
  /** Adds a resource whose creation runs `exit 1`. */
  readonly failOnApply?: boolean;
}

export const DEFAULT_SHAPE: StackShape = {
  image: 'registry.example.com/demo@sha256:' + 'a'.repeat(64),
  replicas: 1,
  revision: 'r1',
  endpoint: 'http://127.0.0.1:9/',
};

export interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly configFile: string;
  readonly config: ResolvedConfig;
  readonly paths: DeploymentPaths;
  /** Environment for terraform: the process env plus a private TF_DATA_DIR. */
  readonly env: Record<string, string | undefined>;
  /** A StackWriter that writes `shape()` as it is when called. */
  readonly writer: (shape: () => StackShape) => StackWriter;
  /** Writes the stack directly (for --no-generate runs). */
  writeStack(shape: StackShape): void;
  /** Writes `.bentoctl/<name>/build.json` as `build --push` does, for `repository@digest`. */
  writeBuildRecord(image: string, bentoVersion?: string): void;
  remove(): void;
}

export interface WorkspaceOptions {
  /** Keep the state in this file (a local backend shared by workspaces) @default - in the stack */
  readonly statePath?: string;
  /** The config's target. @default 'aws-ecs' */
  readonly target?: string;
  /** The lines under `spec:`. @default ['region: us-east-1'] */
  readonly spec?: readonly string[];
}

export function createWorkspace(name = 'demo-svc', options: WorkspaceOptions = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'bentoctl-tf-'));
  mkdirSync(join(dir, 'bento'));
  writeFileSync(join(dir, 'bento', 'bento.yaml'), 'service: demo\nmodels: []\napis: []\n');
  const configFile = join(dir, 'deployment_config.yaml');
  writeFileSync(
    configFile,
    [
      'api_version: v1',
      `name: ${name}`,
      'bento: ./bento',
      `target: ${options.target ?? 'aws-ecs'}`,
      'spec:',
      ...(options.spec ?? ['region: us-east-1']).map((line) => `  ${line}`),
      ...(options.statePath === undefined
        ? []
        : ['state:', '  backend: local', `  path: ${options.statePath}`]),
      '',
    ].join('\n'),
  );
  const paths = deploymentPaths(name, dir);
  const writeStack = (shape: StackShape) => {
    mkdirSync(paths.stack, { recursive: true });
    writeFileSync(
      join(paths.stack, 'main.tf.json'),
      `${JSON.stringify(stackJson(shape, options.statePath), null, 2)}\n`,
    );
  };
  return {
    dir,
    name,
    configFile,
    config: loadConfig(configFile),
    paths,
    env: { ...process.env, TF_DATA_DIR: join(dir, 'tf-data'), TF_CLI_CONFIG_FILE: '/dev/null' },
    // Like generate's writer, it says which image the stack pins.
    writer: (shape) => async () => {
      const current = shape();
      writeStack(current);
      const [repository, digest] = current.image.split('@') as [string, string];
      return { warnings: [], image: { repository, digest } };
    },
    writeStack,
    writeBuildRecord: (image, bentoVersion) => {
      const [repository, digest] = image.split('@') as [string, string];
      writeBuildRecord(paths.buildRecord, {
        repository,
        digest,
        ...(bentoVersion ? { bento_version: bentoVersion } : {}),
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Terraform JSON for a shape; `sensitive()` makes the token a sensitive value in the plan. */
export function stackJson(shape: StackShape, statePath?: string): Record<string, unknown> {
  const resources: Record<string, unknown> = {
    service: {
      input: {
        image: shape.image,
        replicas: shape.replicas,
        token: '${sensitive("token-' + shape.revision + '")}',
      },
    },
    revision: { input: shape.revision, triggers_replace: [shape.revision] },
  };
  if (shape.failOnApply === true) {
    resources.migration = {
      input: shape.revision,
      provisioner: [
        { 'local-exec': { command: 'echo "migration failed: schema locked" >&2; exit 1' } },
      ],
    };
  }
  return {
    ...(statePath === undefined ? {} : { terraform: { backend: { local: { path: statePath } } } }),
    resource: { terraform_data: resources },
    output: {
      endpoint: { value: shape.endpoint },
      image: { value: shape.image },
      api_token: { value: 'secret-' + shape.revision, sensitive: true },
    },
  };
}

/** Writes Terraform JSON a suite built itself (a stand-in stack) as the workspace's stack. */
export function writeStackJson(workspace: Workspace, stack: Record<string, unknown>): void {
  writeFileSync(join(workspace.paths.stack, 'main.tf.json'), JSON.stringify(stack, null, 2));
}

/**
 * Two folders of one deployment whose configs name one local state file, as two CI runners
 * share a bucket: `workspace` deploys, `fresh` holds only the config and reads what the state
 * says.
 */
export interface SharedStateWorkspaces {
  /** The folder of the shared state file; tests may keep other files there. */
  readonly stateDir: string;
  readonly statePath: string;
  readonly workspace: Workspace;
  readonly fresh: Workspace;
  /** Removes both folders and the state's. */
  remove(): void;
}

export function createSharedStateWorkspaces(name: string): SharedStateWorkspaces {
  const stateDir = mkdtempSync(join(tmpdir(), 'bentoctl-state-'));
  const statePath = join(stateDir, 'terraform.tfstate');
  const workspace = createWorkspace(name, { statePath });
  const fresh = createWorkspace(name, { statePath });
  return {
    stateDir,
    statePath,
    workspace,
    fresh,
    remove: () => {
      workspace.remove();
      fresh.remove();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
