/**
 * The package as users get it: `npm pack`, then `npm install --global --omit=dev` of the tarball
 * into a fresh prefix (devDependencies left out, as for any installed package), then every
 * command run from the installed bin. A package the CLI loads but does not declare, or a file
 * the tarball lacks, fails here and nowhere else: the other suites run from the repository,
 * where node_modules has everything.
 *
 * Needs `npm run build` first (the tarball is made from dist/); test/helpers/packed-install.ts
 * packs and installs it.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngines } from '../helpers/engines.js';
import { INSTALL_TIMEOUT_MS, packAndInstall } from '../helpers/packed-install.js';
import { repoRoot, type CliResult } from '../helpers/run-cli.js';
import { stackJson, DEFAULT_SHAPE } from '../terraform/helpers/workspace.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** An image each target can pull (generate refuses one it cannot). */
const PULLABLE: Readonly<Record<string, string>> = {
  'aws-ecs': `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@${DIGEST}`,
  'aws-ec2-gpu': `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@${DIGEST}`,
  'google-cloud-run': `europe-west4-docker.pkg.dev/my-ml-project/iris/iris@${DIGEST}`,
  'azure-aks': `example.azurecr.io/iris@${DIGEST}`,
};
const ROW = [5.1, 3.5, 1.4, 0.2];

let dir: string;
let bin: string;
let installed: string;
let env: Record<string, string | undefined>;

/** Runs the installed `bentoctl` (its shebang finds node on PATH, as a user's shell would). */
function bentoctl(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: options.cwd ?? dir,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function ok(result: CliResult): CliResult {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bentoctl-pack-'));
  ({ bin, installed } = await packAndInstall(dir));
  env = {
    // Only the system folders and this node: nothing from the repository's node_modules/.bin.
    PATH: [dirname(process.execPath), dirname(terraformBinary()), '/usr/bin', '/bin'].join(':'),
    HOME: dir,
    BENTOCTL_HOME: join(dir, 'home'),
    NO_COLOR: '1',
    TF_CLI_CONFIG_FILE: '/dev/null',
    TF_DATA_DIR: join(dir, 'tf-data'),
  };
  cpSync(join(repoRoot, 'examples', 'iris'), join(dir, 'iris'), { recursive: true });
}, INSTALL_TIMEOUT_MS * 2);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function terraformBinary(): string {
  return process.env.TERRAFORM_BIN ?? '/usr/local/bin/terraform';
}

describe('bentoctl installed from the packed tarball with --omit=dev', () => {
  it('GIVEN the install THEN it holds what the CLI loads and none of what the bundles contain', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      main?: string;
    };
    if (manifest.main !== undefined) expect(existsSync(join(installed, manifest.main))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'runtime-bundle', 'main.js'))).toBe(true);
    const modules = join(installed, 'node_modules');
    expect(existsSync(join(modules, 'tar-stream'))).toBe(true);
    for (const bundled of ['cdktf', '@cdktf', 'constructs', 'esbuild'])
      expect(existsSync(join(modules, bundled)), bundled).toBe(false);
  });

  it('GIVEN --help and targets list THEN both answer', async () => {
    expect(ok(await bentoctl(['--help'])).stdout).toContain('bentoctl');
    expect(ok(await bentoctl(['targets', 'list'])).stdout).toContain('aws-ecs');
  });

  it('GIVEN init --yes for every target THEN validate and generate succeed', async () => {
    const targets = [
      ['aws-ecs'],
      ['google-cloud-run', '--set', 'project=my-ml-project', '--region', 'europe-west4'],
      ['azure-aks', '--set', 'api_server_authorized_ip_ranges=[203.0.113.0/24]'],
      ['aws-ec2-gpu'],
    ];
    for (const [target, ...extra] of targets) {
      const file = `${target}.yaml`;
      ok(
        await bentoctl([
          'init',
          '--yes',
          '--target',
          target!,
          '--bento',
          './iris',
          '--name',
          `iris-${target}`,
          '--output',
          file,
          ...extra,
        ]),
      );
      ok(await bentoctl(['validate', '-f', file]));
      ok(await bentoctl(['generate', '-f', file, '--image', PULLABLE[target!] ?? '']));
      const stack = JSON.parse(
        readFileSync(join(dir, '.bentoctl', `iris-${target}`, 'stack', 'main.tf.json'), 'utf8'),
      ) as { resource: Record<string, unknown> };
      expect(Object.keys(stack.resource).length, target).toBeGreaterThan(0);
    }
  }, 120_000);

  it('GIVEN a provider-free stack THEN plan runs terraform and summarizes it', async () => {
    // The generated aws-ecs stack needs the AWS provider, which cannot be downloaded here; the
    // same deployment's stack made of terraform_data plans with none.
    const workspace = join(dir, 'plan-ws');
    const planStack = join(workspace, '.bentoctl', 'iris-aws-ecs', 'stack');
    mkdirSync(planStack, { recursive: true });
    writeFileSync(
      join(workspace, 'deployment_config.yaml'),
      readFileSync(join(dir, 'aws-ecs.yaml'), 'utf8').replace('./iris', join(dir, 'iris')),
    );
    writeFileSync(join(planStack, 'main.tf.json'), JSON.stringify(stackJson(DEFAULT_SHAPE)));
    const result = ok(
      await bentoctl(['plan', '-f', 'deployment_config.yaml', '--no-generate', '--json'], {
        cwd: workspace,
        timeoutMs: 120_000,
      }),
    );
    const plan = JSON.parse(result.stdout) as { summary: { counts: Record<string, number> } };
    // The stack's two resources, and the release history bentoctl keeps in the state.
    expect(plan.summary.counts.create).toBe(3);
  }, 150_000);

  it('GIVEN serve THEN the installed runtime answers one prediction', async () => {
    const child = spawn(bin, ['serve', './iris', '--port', '0'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`serve did not get ready:\n${output}`)),
        60_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /Ready: POST (http:\/\/127\.0\.0\.1:\d+)\/classify/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
    });
    try {
      const response = await fetch(`${url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([ROW]),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { label: number[] }).label).toHaveLength(1);
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);

  describe('with a private Docker engine and registry', () => {
    const engines = useEngines();

    it('GIVEN build, then build --push THEN the image is built from the bundled runtime, named, pushed and recorded', async () => {
      writeFileSync(
        join(dir, 'build.yaml'),
        // A registry outside ECR: the tasks pull from it with credentials from this secret.
        'api_version: v1\nname: iris-build\nbento: ./iris\ntarget: aws-ecs\nspec:\n  region: us-east-1\n  image_pull_secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf\n',
      );
      // Without --push it says where --push would send it: the PR template plans that image.
      const local = ok(
        await bentoctl(
          [
            'build',
            '-f',
            'build.yaml',
            '--registry',
            engines.registry.host,
            '--base-image',
            engines.baseImage,
            '--json',
          ],
          { env: { DOCKER_HOST: engines.dockerHost }, timeoutMs: 240_000 },
        ),
      );
      const unpushed = JSON.parse(local.stdout) as {
        repository: string;
        tag: string;
        bento: { version: string };
        push: null;
      };
      expect(unpushed).toMatchObject({
        repository: `${engines.registry.host}/iris-build`,
        tag: unpushed.bento.version,
        push: null,
      });
      const result = ok(
        await bentoctl(
          [
            'build',
            '-f',
            'build.yaml',
            '--push',
            '--registry',
            engines.registry.host,
            '--base-image',
            engines.baseImage,
            '--json',
          ],
          { env: { DOCKER_HOST: engines.dockerHost }, timeoutMs: 240_000 },
        ),
      );
      const built = JSON.parse(result.stdout) as { push: { reference: string } };
      expect(built.push.reference).toMatch(
        new RegExp(`^${engines.registry.host}/iris-build@sha256:[0-9a-f]{64}$`),
      );
      ok(await bentoctl(['generate', '-f', 'build.yaml']));
      const stack = readFileSync(
        join(dir, '.bentoctl', 'iris-build', 'stack', 'main.tf.json'),
        'utf8',
      );
      expect(stack).toContain(built.push.reference);
    }, 300_000);
  });
});
