/**
 * The GitHub workflow templates: valid YAML with the keys GitHub requires, the promotion flow
 * the templates promise (build once, staging, smoke test, promote, production), and every
 * bentoctl flag they use exists on the command, so the templates cannot drift from the CLI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { stateRoot } from '../../src/config/deployment-paths.js';
import { checkImageReference } from '../../src/targets/image-reference.js';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly 'runs-on': string;
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly steps: Step[];
}
interface Workflow {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const TEMPLATES = new URL('../../templates/ci/github/', import.meta.url);
const PACKAGE = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as {
  version: string;
  engines: { node: string };
};

function load(file: string): Workflow {
  return parse(readFileSync(new URL(file, TEMPLATES), 'utf8')) as Workflow;
}

function scripts(workflow: Workflow, job?: string): string {
  const jobs = job === undefined ? Object.values(workflow.jobs) : [workflow.jobs[job]!];
  return jobs.flatMap((j) => j.steps.map((step) => step.run ?? '')).join('\n');
}

describe.each(['bentoctl-pull-request.yml', 'bentoctl-main.yml'])('%s', (file) => {
  const workflow = load(file);

  it('GIVEN the template THEN it has the keys GitHub requires and every step runs or uses something', () => {
    expect(typeof workflow.name).toBe('string');
    expect(Object.keys(workflow.on).length).toBeGreaterThan(0);
    expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toBeTruthy();
      expect(job.steps.length).toBeGreaterThan(0);
      for (const step of job.steps)
        expect(step.run !== undefined || step.uses !== undefined).toBe(true);
    }
  });

  it('GIVEN terraform is installed THEN its stdout wrapper is off, since bentoctl reads terraform JSON', () => {
    const setups = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((step) => step.uses?.startsWith('hashicorp/setup-terraform')),
    );
    for (const setup of setups) expect(setup.with?.terraform_wrapper).toBe(false);
  });

  it('GIVEN the install step THEN it installs BENTOCTL_PACKAGE, by default this release, and says what else it may be', () => {
    expect(workflow.env.BENTOCTL_PACKAGE).toBe(
      `\${{ vars.BENTOCTL_PACKAGE || 'bentoctl@${PACKAGE.version}' }}`,
    );
    const installs = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((step) => step.run?.includes('npm install')),
    );
    expect(installs.length).toBe(Object.keys(workflow.jobs).length);
    for (const step of installs) expect(step.run).toBe('npm install --global "$BENTOCTL_PACKAGE"');
    const text = readFileSync(new URL(file, TEMPLATES), 'utf8');
    expect(text).toMatch(/a tarball \(\.\/tools\/bentoctl-[\d.]+\.tgz or an https URL/);
    expect(text).toContain('a git ref (github:<owner>/bentoctl#<tag or commit>)');
  });

  it('GIVEN setup-node THEN every job runs a Node line that package.json engines supports', () => {
    const lines = PACKAGE.engines.node.split('||').map((range) => /(\d+)\./.exec(range)?.[1]);
    const setups = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((step) => step.uses?.startsWith('actions/setup-node')),
    );
    expect(setups.length).toBeGreaterThan(0);
    for (const setup of setups) expect(lines).toContain(String(setup.with?.['node-version']));
  });

  it('GIVEN each bentoctl command in the template THEN every flag it passes exists on that command', async () => {
    const calls = [
      ...scripts(workflow).matchAll(/bentoctl ([a-z]+)(?: ([a-z]+)\b)?((?:[^\n]|\\\n)*)/g),
    ];
    expect(calls.length).toBeGreaterThan(0);
    for (const [, topic, word, rest] of calls) {
      // A topic's command (`release promote`) lives in its folder (src/commands/release/promote.ts).
      const nested = new URL(`../../src/commands/${topic}/${word}.ts`, import.meta.url);
      const source =
        word !== undefined && existsSync(nested)
          ? nested
          : new URL(`../../src/commands/${topic}.ts`, import.meta.url);
      const command = source === nested ? `${topic} ${word}` : topic;
      // Prose in a script's comments ("bentoctl rejects ...") names no command.
      if (!existsSync(source)) continue;
      const module = (await import(source.href)) as { default: { flags: Record<string, unknown> } };
      const known = new Set([...Object.keys(module.default.flags), 'json']);
      const args = source === nested ? (rest ?? '') : `${word ?? ''}${rest ?? ''}`;
      for (const [, flag] of args.matchAll(/--([a-z-]+)/g)) {
        expect(
          known.has(flag!) || known.has(flag!.replace(/^no-/, '')),
          `bentoctl ${command} --${flag}`,
        ).toBe(true);
      }
    }
  });
});

describe('pull-request workflow', () => {
  const workflow = load('bentoctl-pull-request.yml');

  it('GIVEN a pull request THEN it validates, builds without pushing, plans and comments the Markdown', () => {
    expect(workflow.on).toHaveProperty('pull_request');
    expect(workflow.permissions['pull-requests']).toBe('write');
    const run = scripts(workflow);
    expect(run).toMatch(/bentoctl validate -f/);
    expect(run).toMatch(/bentoctl build -f/);
    expect(run).not.toContain('--push');
    expect(run).not.toMatch(/bentoctl (apply|promote|destroy)/);
    expect(run).toMatch(/bentoctl plan [^\n]*\\\n[^\n]*--markdown plan\.md --detailed-exitcode/);
    const comment = workflow.jobs.plan!.steps.find((step) =>
      step.uses?.startsWith('actions/github-script'),
    );
    expect(String(comment?.with?.script)).toContain("readFileSync('plan.md'");
  });
});

describe('pull-request workflow: the image it plans', () => {
  const workflow = load('bentoctl-pull-request.yml');
  const build = workflow.jobs.plan!.steps.find((step) => step.run?.includes('bentoctl build'));
  const expression = /jq -r '([^']+)' build\.json/.exec(build?.run ?? '')?.[1];

  it.each([
    [
      'a repository known before the push',
      {
        repository: 'registry.example.com/ml/iris-prod',
        tag: '1a2b3c4d',
        image: 'bentoctl/iris-prod:1a2b3c4d',
      },
      'registry.example.com/ml/iris-prod:1a2b3c4d',
    ],
    [
      'the default ECR repository (account known only after login)',
      { repository: null, tag: '1a2b3c4d', image: 'bentoctl/iris-prod:1a2b3c4d' },
      'bentoctl/iris-prod:1a2b3c4d',
    ],
  ])(
    'GIVEN build --json output with %s THEN the plan gets a well-formed reference',
    (_name, output, expected) => {
      expect(expression).toBeDefined();
      const image = execFileSync('jq', ['-r', expression!], { input: JSON.stringify(output) })
        .toString()
        .trim();
      expect(image).toBe(expected);
      expect(checkImageReference(image)).toHaveProperty('image');
    },
  );
});

describe('main-branch workflow', () => {
  const workflow = load('bentoctl-main.yml');

  it('GIVEN a push to main THEN jobs run build → staging → production-plan → production in that order', () => {
    expect(workflow.on).toMatchObject({ push: { branches: ['main'] } });
    expect(workflow.jobs.staging?.needs).toBe('build');
    expect(workflow.jobs['production-plan']?.needs).toBe('staging');
    expect(workflow.jobs.production?.needs).toBe('production-plan');
    expect(workflow.jobs.production?.environment).toBe('production');
    // The plan is made and shown before the gate, so it is not behind it.
    expect(workflow.jobs['production-plan']?.environment).toBeUndefined();
  });

  it('GIVEN the pipeline THEN the image is pushed once and production is never rebuilt', () => {
    expect(scripts(workflow).match(/bentoctl build /g)).toHaveLength(1);
    expect(scripts(workflow, 'build')).toMatch(/bentoctl build -f "\$STAGING_CONFIG" --push/);
    expect(scripts(workflow, 'production')).not.toContain('bentoctl build');
  });

  it('GIVEN staging THEN it is applied and smoke-tested on /readyz and one prediction', () => {
    const staging = scripts(workflow, 'staging');
    expect(staging).toMatch(/bentoctl apply -f "\$STAGING_CONFIG" --auto-approve/);
    expect(staging).toContain('"$endpoint/readyz"');
    // The endpoint from the state alone: the smoke test must not fail on the cloud's describe APIs.
    expect(staging).toContain('bentoctl status -f "$STAGING_CONFIG" --no-live --json');
    expect(staging).toMatch(/-X POST "\$endpoint\/\$SMOKE_API"/);
  });

  it.each([
    ['staging', 'STAGING_CONFIG', /bentoctl apply -f "\$STAGING_CONFIG"/, '"$endpoint/readyz"'],
    ['production', 'PROD_CONFIG', /bentoctl apply -f "\$PROD_CONFIG" --plan prod-plan/, undefined],
  ])(
    'GIVEN the %s job THEN a canary is promoted after its bake (or aborted, failing the job) right after the apply',
    (job, config, apply, smokeTest) => {
      const run = scripts(workflow, job);
      const promote = `bentoctl release promote -f "$${config}" --after-bake --auto-approve`;
      const applyAt = run.search(apply);
      const promoteAt = run.indexOf(promote);
      expect(applyAt).toBeGreaterThanOrEqual(0);
      expect(promoteAt).toBeGreaterThan(applyAt);
      // The smoke test then talks to the revision that takes all traffic, not a 10 % share.
      if (smokeTest !== undefined) expect(run.indexOf(smokeTest)).toBeGreaterThan(promoteAt);
    },
  );

  it('GIVEN production-plan THEN the staging digest is promoted, then planned, the plan shown in the job summary and uploaded', () => {
    const job = workflow.jobs['production-plan']!;
    const run = scripts(workflow, 'production-plan');
    const promoteAt = run.indexOf('bentoctl promote --from "$STAGING_CONFIG" --to "$PROD_CONFIG"');
    const planAt = run.indexOf(
      'bentoctl plan -f "$PROD_CONFIG" --out prod-plan --markdown prod-plan/summary.md',
    );
    expect(promoteAt).toBeGreaterThanOrEqual(0);
    expect(planAt).toBeGreaterThan(promoteAt);
    expect(run).toContain('cat prod-plan/summary.md >> "$GITHUB_STEP_SUMMARY"');
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with).toMatchObject({
      name: 'bentoctl-prod-plan',
      path: 'prod-plan',
      // .terraform.lock.hcl: the provider versions the plan was made with.
      'include-hidden-files': true,
    });
  });

  it('GIVEN the gated production job THEN it applies exactly the uploaded plan: no promote, generate or plan (after it, `release promote --after-bake` moves only the traffic of a canary)', () => {
    const job = workflow.jobs.production!;
    const download = job.steps.find((step) => step.uses?.startsWith('actions/download-artifact'));
    expect(download?.with).toMatchObject({ name: 'bentoctl-prod-plan', path: 'prod-plan' });
    const run = scripts(workflow, 'production');
    expect(run).toMatch(/bentoctl apply -f "\$PROD_CONFIG" --plan prod-plan --auto-approve/);
    expect(run).not.toMatch(/bentoctl (plan|promote|generate|build)\b/);
    expect(run).not.toContain('--image');
  });
});

describe('main-branch workflow: the deployment records between jobs', () => {
  const workflow = load('bentoctl-main.yml');
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const artifacts = (action: string) =>
    steps
      .filter((step) => step.uses?.startsWith(`actions/${action}-artifact`))
      .map((step) => ({
        name: String(step.with?.name),
        paths: String(step.with?.path)
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
      }));
  const records = (action: string) =>
    artifacts(action).filter((artifact) => artifact.paths.some((p) => p.includes('.bentoctl')));
  // Where bentoctl reads and writes each config's records, relative to the checkout.
  const checkout = '/checkout';
  const stateFolders = [workflow.env.STAGING_CONFIG!, workflow.env.PROD_CONFIG!].map((config) =>
    posix.relative(checkout, stateRoot(dirname(resolve(checkout, config)), { env: {} })),
  );
  /** upload-artifact's root: the longest folder prefix before a wildcard, common to all paths. */
  const uploadRoot = (paths: readonly string[]) => {
    const folders = paths.map((path) => {
      const parts = path.split('/');
      const wildcard = parts.findIndex((part) => /[*?[]/.test(part));
      return parts.slice(0, wildcard === -1 ? -1 : wildcard);
    });
    const common: string[] = [];
    for (let i = 0; folders.every((parts) => i < parts.length && parts[i] === folders[0]![i]); i++)
      common.push(folders[0]![i]!);
    return common.join('/');
  };

  it('GIVEN the build and staging artifacts THEN they upload the records from the folder beside the configs', () => {
    const uploads = records('upload');
    expect(uploads.map((upload) => upload.name)).toEqual(['bentoctl-build', 'bentoctl-staging']);
    for (const upload of uploads)
      for (const path of upload.paths)
        expect(stateFolders).toContain(posix.dirname(posix.dirname(path)));
  });

  it('GIVEN each job downloading records THEN the download folder is where the upload rooted them, beside the configs', () => {
    const downloads = records('download');
    expect(downloads.length).toBe(2);
    for (const download of downloads) {
      const upload = artifacts('upload').find((artifact) => artifact.name === download.name);
      expect(upload, download.name).toBeDefined();
      expect(download.paths).toEqual([uploadRoot(upload!.paths)]);
      expect(stateFolders).toContain(download.paths[0]);
    }
  });
});
