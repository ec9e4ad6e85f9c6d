/**
 * The journey's workflow runner on small workflows (bash only, no engines): job order, fresh
 * workspaces, artifacts laid out as upload-artifact lays them out, step outputs, the expression
 * subset, and a failing step's message.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluate } from './github-expressions.js';
import { JourneyLog } from './journey-log.js';
import { runWorkflow, WorkflowStepError, type WorkflowRunOptions } from './workflow-runner.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bentoctl-runner-'));
  mkdirSync(join(dir, 'repository'));
  writeFileSync(join(dir, 'repository', 'input.txt'), 'from the repository\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(workflow: string, extra: Partial<WorkflowRunOptions> = {}): WorkflowRunOptions {
  const file = join(dir, 'workflow.yml');
  writeFileSync(file, workflow);
  mkdirSync(join(dir, 'runner'), { recursive: true });
  return {
    file,
    displayName: 'workflow.yml',
    repository: join(dir, 'repository'),
    runnerDir: join(dir, 'runner'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    vars: { NAME: 'from-vars' },
    github: {},
    logins: {},
    skipped: { 'actions/setup-node': 'node is on PATH' },
    log: new JourneyLog(join(dir, 'journey.log')),
    ...extra,
  };
}

describe('runWorkflow', () => {
  it('GIVEN jobs with needs and artifacts THEN they run in order, each sees only what was uploaded, laid out as upload-artifact does', async () => {
    const runs = await runWorkflow(
      options(`
env:
  GREETING: \${{ vars.MISSING || 'hello' }}
  WHO: \${{ vars.NAME }}
jobs:
  second:
    needs: first
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: records
          path: .out
      - name: Read
        run: |
          test ! -e left-behind.txt
          cat .out/svc/build.json .out/svc/apply.json > seen.txt
  first:
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - name: Write
        id: write
        run: |
          mkdir -p .out/svc
          echo '{"b":1}' > .out/svc/build.json
          echo '{"a":1}' > .out/svc/apply.json
          echo left > left-behind.txt
          echo "said=$GREETING $WHO" >> "$GITHUB_OUTPUT"
          echo '# summary' >> "$GITHUB_STEP_SUMMARY"
      - name: Use the output
        run: test "\${{ steps.write.outputs.said }}" = "hello from-vars"
      - uses: actions/upload-artifact@v4
        with:
          name: records
          path: |
            .out/*/build.json
            .out/*/apply.json
          include-hidden-files: true
`),
    );

    expect(runs.map((run) => run.job)).toEqual(['first', 'second']);
    expect(runs[0]!.outputs.write).toEqual({ said: 'hello from-vars' });
    expect(runs[0]!.summary).toBe('# summary\n');
    expect(readFileSync(join(runs[1]!.workspace, 'seen.txt'), 'utf8')).toBe('{"b":1}\n{"a":1}\n');
    expect(existsSync(join(runs[1]!.workspace, 'input.txt'))).toBe(true);
  });

  it('GIVEN a directory path without include-hidden-files THEN hidden files stay out of the artifact', async () => {
    const runs = await runWorkflow(
      options(`
jobs:
  up:
    steps:
      - run: mkdir plan && echo x > plan/file && echo y > plan/.hidden
      - uses: actions/upload-artifact@v4
        with: { name: plan, path: plan }
  down:
    needs: up
    steps:
      - uses: actions/download-artifact@v4
        with: { name: plan, path: got }
`),
    );

    expect(existsSync(join(runs[1]!.workspace, 'got', 'file'))).toBe(true);
    expect(existsSync(join(runs[1]!.workspace, 'got', '.hidden'))).toBe(false);
  });

  it('GIVEN a failing step THEN the error names the file, job, matrix, step, command, exit code and stderr tail', async () => {
    const run = runWorkflow(
      options(`
jobs:
  check:
    strategy:
      matrix:
        config: [a.yaml]
    steps:
      - name: Validate
        run: |
          echo "checking \${{ matrix.config }}"
          echo "a.yaml:3 is wrong" >&2
          exit 4
`),
    );

    const error = await run.then(
      () => undefined,
      (cause: unknown) => cause,
    );
    expect(error).toBeInstanceOf(WorkflowStepError);
    expect((error as Error).message).toBe(
      [
        'workflow.yml › job check (config=a.yaml) › step "Validate" failed: exit code 4',
        'command:',
        '  echo "checking a.yaml"',
        '  echo "a.yaml:3 is wrong" >&2',
        '  exit 4',
        'stderr (last lines):',
        '  a.yaml:3 is wrong',
      ].join('\n'),
    );
  });

  it('GIVEN an upload that matches nothing with if-no-files-found: error THEN that step fails by name', async () => {
    await expect(
      runWorkflow(
        options(`
jobs:
  up:
    steps:
      - name: Keep it
        uses: actions/upload-artifact@v4
        with: { name: x, path: 'missing/*.json', if-no-files-found: error }
`),
      ),
    ).rejects.toThrow(
      'workflow.yml › job up › step "Keep it" failed: no files match missing/*.json (if-no-files-found: error)',
    );
  });

  it('GIVEN an action with no emulation THEN the run stops naming it', async () => {
    await expect(
      runWorkflow(options('jobs:\n  j:\n    steps:\n      - uses: some/action@v1\n')),
    ).rejects.toThrow('the journey runner has no emulation for some/action');
  });
});

describe('the expression subset', () => {
  const contexts = { env: { A: '' }, vars: { B: 'b' }, steps: { s: { outputs: { k: 'v' } } } };

  it.each([
    ["vars.MISSING || 'default'", 'default'],
    ['env.A || vars.B', 'b'],
    ['steps.s.outputs.k', 'v'],
    ["'it''s'", "it's"],
  ])('GIVEN %s THEN it evaluates to %j', (expression, value) => {
    expect(evaluate(expression, contexts, 'here')).toBe(value);
  });

  it('GIVEN an operator outside the subset THEN it is refused, not guessed', () => {
    expect(() => evaluate("github.ref == 'main'", contexts, 'here')).toThrow(
      "here: the journey runner evaluates context paths, '...' literals and || only",
    );
    expect(() => evaluate('inputs.x', contexts, 'here')).toThrow(
      'reads the inputs context, which this run has not',
    );
  });
});
