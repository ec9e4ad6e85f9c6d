/**
 * Runs a GitHub Actions workflow file's jobs on this machine, in `needs` order, as fresh runners
 * would: each job gets an empty workspace, `run:` steps run in bash with GitHub's default shell
 * options and GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files, and only artifacts pass
 * files from one job to the next. The steps come from the YAML as written; nothing is copied
 * into the test. `uses:` steps are emulated where they matter (checkout, artifacts, cloud
 * logins) and skipped with the reason logged otherwise. A failing step throws
 * WorkflowStepError naming the file, job, step, command, exit code and stderr tail.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { parse } from 'yaml';
import { interpolate, interpolateAll, type Contexts } from './github-expressions.js';
import type { JourneyLog } from './journey-log.js';

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly 'working-directory'?: string;
}
interface Job {
  readonly needs?: string | string[];
  readonly env?: Record<string, unknown>;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly steps: Step[];
}
interface Workflow {
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

/** Where a step is: what an error or a log line names. */
export interface StepPlace {
  /** The workflow file as given (e.g. `templates/ci/github/bentoctl-main.yml`). */
  readonly file: string;
  readonly job: string;
  /** `config=deploy/prod.yaml` for a matrix job, else ''. */
  readonly matrix: string;
  readonly step: string;
}

/** What the runner does with a `run:` step. */
export type RunDecision =
  { readonly run: true; readonly note?: string } | { readonly run: false; readonly reason: string };

export interface WorkflowRunOptions {
  /** The workflow file. */
  readonly file: string;
  /** How the file is named in logs and errors (repository-relative). */
  readonly displayName: string;
  /** The repository a checkout step copies into the job workspace. */
  readonly repository: string;
  /** Job workspaces and artifacts go under here. */
  readonly runnerDir: string;
  /** The machine's environment for every step (PATH, HOME, DOCKER_HOST, ...). */
  readonly env: Readonly<Record<string, string>>;
  readonly vars: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly github: Readonly<Record<string, unknown>>;
  /** The environment a cloud login step gives a job, by its `role-to-assume` (evaluated). */
  readonly logins: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Decides each `run:` step (the cloud boundary); default: run it. */
  readonly decide?: (place: StepPlace, script: string) => RunDecision;
  /** How many of a step's last stdout lines go into the log. @default 0 */
  readonly stdoutLines?: (place: StepPlace) => number;
  /** After a `run:` step succeeded: a line for the log (e.g. what crossed the cloud boundary). */
  readonly afterStep?: (place: StepPlace) => string | undefined;
  /** `uses:` actions (before `@`) that are skipped, with why. */
  readonly skipped: Readonly<Record<string, string>>;
  readonly log: JourneyLog;
  /** @default 300 000 */
  readonly stepTimeoutMs?: number;
}

export interface JobRun {
  readonly job: string;
  readonly matrix: string;
  readonly workspace: string;
  /** GITHUB_STEP_SUMMARY of every step, joined. */
  readonly summary: string;
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The scripts of the `run:` steps that ran, in order (expressions evaluated). */
  readonly ran: readonly string[];
}

/** A step that failed: the message names where, what ran, how it ended. */
export class WorkflowStepError extends Error {
  constructor(
    readonly place: StepPlace,
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
    detail?: string,
  ) {
    super(
      [
        `${describePlace(place)} failed: ${detail ?? `exit code ${exitCode ?? 'none (killed)'}`}`,
        'command:',
        indent(command.trimEnd()),
        ...(stderrTail === '' ? [] : ['stderr (last lines):', indent(stderrTail)]),
      ].join('\n'),
    );
    this.name = 'WorkflowStepError';
  }
}

export function describePlace(place: StepPlace): string {
  return `${place.file} › job ${place.job}${place.matrix === '' ? '' : ` (${place.matrix})`} › step "${place.step}"`;
}

const STDERR_TAIL_LINES = 25;
/** Process groups of the steps running now, for stopRunningSteps(). */
const running = new Set<number>();

/** SIGKILLs every step still running (a test that timed out leaves none behind). */
export function stopRunningSteps(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** Runs every job of the workflow; resolves with each job's workspace, outputs and summary. */
export async function runWorkflow(options: WorkflowRunOptions): Promise<JobRun[]> {
  const workflow = parse(readFileSync(options.file, 'utf8')) as Workflow;
  const artifacts = join(options.runnerDir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const base: Contexts = {
    vars: options.vars,
    secrets: options.secrets ?? {},
    github: options.github,
  };
  const workflowEnv = interpolateAll(workflow.env, base, `${options.displayName} env`);
  const runs: JobRun[] = [];
  for (const name of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[name]!;
    for (const matrix of matrixCombinations(job, options.displayName, name)) {
      runs.push(await runJob(options, name, job, matrix, { ...base, env: workflowEnv }, artifacts));
    }
  }
  return runs;
}

async function runJob(
  options: WorkflowRunOptions,
  name: string,
  job: Job,
  matrix: Record<string, unknown>,
  contexts: Contexts,
  artifacts: string,
): Promise<JobRun> {
  const matrixLabel = Object.entries(matrix)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
  const workspace = mkdtempSync(join(options.runnerDir, `${name}-`));
  const temp = join(workspace, '..', `${basename(workspace)}.tmp`);
  mkdirSync(temp);
  const env: Record<string, string> = {
    ...(contexts.env as Record<string, string>),
    ...interpolateAll(job.env, { ...contexts, matrix }, `job ${name} env`),
  };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const summaries: string[] = [];
  const ran: string[] = [];
  options.log.line(
    `── ${options.displayName} › job ${name}${matrixLabel === '' ? '' : ` (${matrixLabel})`} (fresh workspace ${workspace})`,
  );
  for (const [index, step] of job.steps.entries()) {
    const stepName =
      step.name ?? (step.uses !== undefined ? step.uses : `Run ${step.run!.split('\n')[0]}`);
    const place: StepPlace = {
      file: options.displayName,
      job: name,
      matrix: matrixLabel,
      step: stepName,
    };
    const stepContexts: Contexts = { ...contexts, env, matrix, steps };
    const where = describePlace(place);
    const stepEnv = { ...env, ...interpolateAll(step.env, stepContexts, `${where} env`) };
    if (step.uses !== undefined) {
      const withs = interpolateAll(step.with, { ...stepContexts, env: stepEnv }, where);
      const outcome = emulate(options, place, step.uses, withs, workspace, artifacts, env);
      options.log.line(`  ${stepName}: ${outcome}`);
      continue;
    }
    const script = interpolate(step.run!, { ...stepContexts, env: stepEnv }, where);
    const decision = options.decide?.(place, script) ?? { run: true };
    if (!decision.run) {
      options.log.line(`  ${stepName}: skipped, ${decision.reason}`);
      continue;
    }
    const files = {
      GITHUB_OUTPUT: join(temp, `output-${index}`),
      GITHUB_ENV: join(temp, `env-${index}`),
      GITHUB_STEP_SUMMARY: join(temp, `summary-${index}`),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const started = performance.now();
    const result = await runScript(script, {
      cwd: resolve(workspace, step['working-directory'] ?? '.'),
      env: {
        ...options.env,
        ...stepEnv,
        ...files,
        GITHUB_WORKSPACE: workspace,
        GITHUB_JOB: name,
        RUNNER_TEMP: temp,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
      },
      timeoutMs: options.stepTimeoutMs ?? 300_000,
      scriptFile: join(temp, `step-${index}.sh`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    ran.push(script);
    if (result.exitCode !== 0) {
      options.log.line(`  ${stepName}: FAILED, exit code ${result.exitCode} (${seconds} s)`);
      throw new WorkflowStepError(place, script, result.exitCode, tail(result.stderr));
    }
    const outputs = readKeyValues(files.GITHUB_OUTPUT);
    Object.assign(env, readKeyValues(files.GITHUB_ENV));
    if (step.id !== undefined) steps[step.id] = { outputs };
    summaries.push(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'));
    const shown = Object.entries(outputs).map(([key, value]) => `${key}=${value}`);
    options.log.line(
      `  ${stepName}: ok (${seconds} s)${shown.length === 0 ? '' : `, outputs ${shown.join(', ')}`}${decision.note === undefined ? '' : `; ${decision.note}`}`,
    );
    const note = options.afterStep?.(place);
    if (note !== undefined) options.log.line(`      ↳ ${note}`);
    const shownLines = options.stdoutLines?.(place) ?? 0;
    if (shownLines > 0)
      for (const line of result.stdout.trimEnd().split('\n').slice(-shownLines))
        options.log.line(`      | ${line}`);
  }
  return {
    job: name,
    matrix: matrixLabel,
    workspace,
    summary: summaries.join(''),
    outputs: Object.fromEntries(Object.entries(steps).map(([id, step]) => [id, step.outputs])),
    ran,
  };
}

/** A `uses:` step: emulated (checkout, artifacts, logins) or skipped; returns what it did. */
function emulate(
  options: WorkflowRunOptions,
  place: StepPlace,
  uses: string,
  withs: Record<string, string>,
  workspace: string,
  artifacts: string,
  env: Record<string, string>,
): string {
  const action = uses.split('@')[0]!;
  const fail = (detail: string) =>
    new WorkflowStepError(place, `uses: ${uses}\nwith: ${JSON.stringify(withs)}`, null, '', detail);
  switch (action) {
    case 'actions/checkout':
      cpSync(options.repository, workspace, { recursive: true });
      return `emulated: copied the repository into the empty workspace`;
    case 'actions/upload-artifact': {
      const name = withs.name ?? 'artifact';
      const patterns = (withs.path ?? '')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      const files = globSync(patterns, {
        cwd: workspace,
        dot: withs['include-hidden-files'] === 'true',
        onlyFiles: true,
      });
      if (files.length === 0 && (withs['if-no-files-found'] ?? 'warn') === 'error')
        throw fail(`no files match ${patterns.join(', ')} (if-no-files-found: error)`);
      // As upload-artifact does: paths are kept below the patterns' common folder before the
      // first wildcard (a directory path uploads its contents).
      const root = commonRoot(patterns.map((pattern) => searchRoot(workspace, pattern)));
      const target = join(artifacts, name);
      rmSync(target, { recursive: true, force: true });
      for (const file of files) {
        const to = join(target, relative(root, join(workspace, file)));
        mkdirSync(dirname(to), { recursive: true });
        cpSync(join(workspace, file), to);
      }
      const listed = files.map((file) => relative(root, join(workspace, file))).sort();
      return `emulated: uploaded artifact ${name}: ${listed.join(', ')}`;
    }
    case 'actions/download-artifact': {
      const name = withs.name ?? 'artifact';
      const from = join(artifacts, name);
      if (!existsSync(from)) throw fail(`no artifact named ${name} was uploaded earlier`);
      const to = resolve(workspace, withs.path ?? '.');
      cpSync(from, to, { recursive: true });
      return `emulated: downloaded artifact ${name} into ${relative(workspace, to) || '.'}`;
    }
    case 'aws-actions/configure-aws-credentials':
    case 'google-github-actions/auth':
    case 'azure/login': {
      const role = withs['role-to-assume'] ?? withs.service_account ?? withs['client-id'] ?? '';
      const login = options.logins[role];
      if (login === undefined)
        return `skipped, cloud login as ${role || '(no role)'}: this journey's clouds need no credentials for it`;
      Object.assign(env, login);
      return `emulated: the login as ${role} gives the job ${Object.keys(login).join(', ')}`;
    }
    default: {
      const reason = options.skipped[action];
      if (reason === undefined) throw fail(`the journey runner has no emulation for ${action}`);
      return `skipped, ${reason}`;
    }
  }
}

/** The folder a pattern searches: its path up to the first segment with a wildcard. */
function searchRoot(workspace: string, pattern: string): string {
  const segments = pattern.split('/');
  const wild = segments.findIndex((segment) => /[*?[{]/.test(segment));
  const fixed = join(workspace, ...(wild === -1 ? segments : segments.slice(0, wild)));
  // A plain file path uploads the file at the artifact root.
  return wild === -1 && existsSync(fixed) && !isDirectory(fixed) ? dirname(fixed) : fixed;
}

function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}

function commonRoot(paths: readonly string[]): string {
  const split = paths.map((path) => path.split('/'));
  const first = split[0] ?? [];
  let length = first.length;
  for (const other of split.slice(1)) {
    let i = 0;
    while (i < length && other[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join('/') || '/';
}

function jobOrder(jobs: Readonly<Record<string, Job>>): string[] {
  const order: string[] = [];
  const visit = (name: string, trail: readonly string[]) => {
    if (order.includes(name)) return;
    if (trail.includes(name))
      throw new Error(`jobs need each other: ${[...trail, name].join(' → ')}`);
    const job = jobs[name];
    if (job === undefined) throw new Error(`job ${trail.at(-1)} needs ${name}, which is not a job`);
    const needs = job.needs === undefined ? [] : [job.needs].flat();
    for (const need of needs) visit(need, [...trail, name]);
    order.push(name);
  };
  for (const name of Object.keys(jobs)) visit(name, []);
  return order;
}

function matrixCombinations(job: Job, file: string, name: string): Record<string, unknown>[] {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return [{}];
  let combinations: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (!Array.isArray(values))
      throw new Error(
        `${file} › job ${name}: matrix.${key} is not a list (include/exclude are not emulated)`,
      );
    combinations = combinations.flatMap((combination) =>
      values.map((value: unknown) => ({ ...combination, [key]: value })),
    );
  }
  return combinations;
}

/** `key=value` lines and `key<<DELIMITER` blocks, as GITHUB_OUTPUT and GITHUB_ENV hold them. */
function readKeyValues(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== block[2]) body.push(lines[i]!);
      values[block[1]!] = body.join('\n');
      continue;
    }
    const at = line.indexOf('=');
    if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

interface ScriptResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** bash as GitHub runs a `run:` step on Linux: `bash --noprofile --norc -eo pipefail {0}`. */
function runScript(
  script: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    scriptFile: string;
  },
): Promise<ScriptResult> {
  writeFileSync(options.scriptFile, script);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', options.scriptFile], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child.pid!);
    let stdout = '';
    let stderr = '';
    const log = `${options.scriptFile}.log`;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      appendFileSync(log, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      appendFileSync(log, chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child.pid!);
      resolvePromise({
        exitCode: code,
        stdout,
        stderr: timedOut ? `${stderr}\n(killed after ${options.timeoutMs / 1000} s)` : stderr,
      });
    });
  });
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
