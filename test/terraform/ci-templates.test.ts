/**
 * The GitHub workflow templates: valid YAML with the keys GitHub requires, the promotion flow
 * the templates promise (build once, staging, smoke test, promote, production), and every
 * bentoctl flag they use exists on the command, so the templates cannot drift from the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

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
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const TEMPLATES = new URL('../../templates/ci/github/', import.meta.url);

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

  it('GIVEN each bentoctl command in the template THEN every flag it passes exists on that command', async () => {
    const calls = [...scripts(workflow).matchAll(/bentoctl ([a-z]+)((?:[^\n]|\\\n)*)/g)];
    expect(calls.length).toBeGreaterThan(0);
    for (const [, command, rest] of calls) {
      const source = new URL(`../../src/commands/${command}.ts`, import.meta.url);
      // `build` belongs to the builder; its flags are checked once that command exists.
      if (!existsSync(source)) continue;
      const module = (await import(source.href)) as { default: { flags: Record<string, unknown> } };
      const known = new Set([...Object.keys(module.default.flags), 'json']);
      for (const [, flag] of (rest ?? '').matchAll(/--([a-z-]+)/g)) {
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

describe('main-branch workflow', () => {
  const workflow = load('bentoctl-main.yml');

  it('GIVEN a push to main THEN jobs run build → staging → production in that order', () => {
    expect(workflow.on).toMatchObject({ push: { branches: ['main'] } });
    expect(workflow.jobs.staging?.needs).toBe('build');
    expect(workflow.jobs.production?.needs).toBe('staging');
    expect(workflow.jobs.production?.environment).toBe('production');
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
    expect(staging).toMatch(/-X POST "\$endpoint\/\$SMOKE_API"/);
  });

  it('GIVEN production THEN the staging digest is promoted, then applied with the second config', () => {
    const production = scripts(workflow, 'production');
    const promoteAt = production.indexOf(
      'bentoctl promote --from "$STAGING_CONFIG" --to "$PROD_CONFIG"',
    );
    const applyAt = production.indexOf('bentoctl apply -f "$PROD_CONFIG" --auto-approve');
    expect(promoteAt).toBeGreaterThanOrEqual(0);
    expect(applyAt).toBeGreaterThan(promoteAt);
  });
});
