/**
 * `bentoctl release promote --after-bake`: the "then all or back" of a canary, for a CI step
 * after the apply that started it. It reads the traffic state (any runner), waits out the bake
 * time left (bounded by --max-bake-wait, interruptible), asks the candidate whether it is
 * healthy (candidate-health.ts), and then promotes it, or aborts it (all traffic back to the
 * stable revision) and fails with RELEASE_CANDIDATE_UNHEALTHY. Both go through the same plan,
 * summary, confirmation and apply as `release promote` / `release abort`.
 *
 * Where the platform shifts the traffic once bentoctl approves (aws-ecs blue-green, through
 * ECS's lifecycle hook) the candidate is asked on its own URL too (the test listener, which ECS
 * points at the new tasks before the hook asks), and the step approves it (the promote) or
 * rejects it (the abort). A stack generated before it had that URL declares none; then ECS's
 * own checks stand (it checks the new tasks' health before the hook asks, and its alarms roll
 * them back after the shift), and the step approves it.
 *
 * A pipeline runs the step after every apply, so what has nothing to promote is not an error:
 * where the platform moves the traffic (an aws-ecs canary, where `terraform apply` waited for
 * ECS; any rolling release) and where no candidate is in progress, it says so, waits until
 * the endpoint answers from the release that takes all traffic, and exits 0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Interrupts } from '../cli/interrupts.js';
import { untilInterrupted } from '../cli/interrupts.js';
import { deploymentPathsOf } from '../config/deployment-paths.js';
import { describeRelease, type ReleaseStrategy } from '../config/release-schema.js';
import { loadConfig } from '../config/load.js';
import { errors } from '../errors/index.js';
import { discoverTerraform } from '../terraform/binary.js';
import { endpointOf, type TerraformOutputs } from '../terraform/outputs.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { TargetName } from '../targets/names.js';
import { platformApproves } from '../targets/registry.js';
import { CANDIDATE_ENDPOINT_OUTPUT } from '../targets/traffic-split.js';
import { approvalFor, isInteractive, shouldStream } from './approval.js';
import { checkCandidate, type CandidateHealth } from './candidate-health.js';
import type { Release } from './deployment-records.js';
import { lifecycleFromOutputs, refuseIfTerminated } from './lifecycle-state.js';
import { readStateOutputs } from './read-releases.js';
import { runReleaseMove, type ReleaseMoveResult } from './release-command.js';
import { currentRelease } from './release-history.js';
import { historyFromOutputs, trafficFromOutputs } from './release-stack-file.js';
import type { TrafficState } from './traffic-state.js';
import type { ExpectedRevision, ReadyResult } from './wait-ready.js';
import { candidateUrlOf, waitUntilUrlServes } from './wait-serving.js';

/** @default 60 (minutes of bake `--after-bake` waits at most) */
export const DEFAULT_MAX_BAKE_WAIT_MINUTES = 60;
/** One progress line per minute of the bake wait. */
const BAKE_PROGRESS_MS = 60_000;
/** Past the bake's end, so the plan's own check (whole minutes, rounded up) sees it baked. */
const BAKE_MARGIN_MS = 1_000;

/**
 * promoted: the candidate took all traffic; moved-by-platform: the platform moves it (nothing
 * to promote); nothing-in-progress: no candidate held part of the traffic.
 */
export type AfterBakeOutcome = 'promoted' | 'moved-by-platform' | 'nothing-in-progress';

export interface AfterBakeResult {
  readonly deployment: string;
  readonly target: string;
  readonly strategy: ReleaseStrategy;
  readonly outcome: AfterBakeOutcome;
  /** Seconds waited for the bake to end (0 when it had ended). */
  readonly bakeWaitedSeconds: number;
  /** The candidate's check; null when there was no candidate. */
  readonly health: CandidateHealth | null;
  /** The promote, when one ran. */
  readonly promote: ReleaseMoveResult | null;
  /** The release that takes all traffic now; null when none is recorded for it. */
  readonly serving: Release | null;
  /** The endpoint's answer from it; null with --no-wait or without an endpoint output. */
  readonly ready: ReadyResult | null;
}

export interface AfterBakeOptions {
  readonly configFile: string;
  readonly autoApprove: boolean;
  readonly wait: boolean;
  readonly waitTimeoutSeconds: number;
  readonly generate: boolean;
  /** Refuse (RELEASE_BAKE_TOO_LONG) when more bake than this is left. */
  readonly maxBakeWaitMinutes: number;
  readonly json: boolean;
  readonly interrupts: Interrupts;
  /** Progress (stderr). */
  readonly say: (line: string) => void;
  /** Results (stdout). */
  readonly log: (line: string) => void;
  readonly review: (summary: PlanSummary, title: string) => void;
}

export async function runAfterBake(options: AfterBakeOptions): Promise<AfterBakeResult> {
  const { interrupts, say } = options;
  const config = loadConfig(options.configFile);
  const { name } = config;
  // Before any wait: a CI step without --auto-approve must fail now, not after the bake.
  approvalFor({
    command: 'release promote',
    deployment: name,
    autoApprove: options.autoApprove,
    interactive: isInteractive(options.json),
    review: () => undefined,
  });
  interrupts.doing(`the traffic state read of ${name}`, ['nothing was applied']);
  const outputs = await readStateOutputs(config, deploymentPathsOf(config), {
    binary: await discoverTerraform(),
    stream: shouldStream(options.json),
    progress: say,
    interrupts,
  });
  refuseIfTerminated(
    { command: 'release promote', deployment: name, configFile: options.configFile },
    lifecycleFromOutputs(outputs),
  );
  const history = historyFromOutputs(outputs);
  const find = (number: number | null) =>
    number === null ? null : (history.find((release) => release.number === number) ?? null);
  const traffic = trafficFromOutputs(outputs);
  const base = {
    deployment: name,
    target: config.target,
    strategy: config.release.strategy,
    bakeWaitedSeconds: 0,
    health: null,
    promote: null,
  };

  if (traffic === undefined || config.release.strategy === 'rolling') {
    const serving = currentRelease(history) ?? null;
    say(
      config.release.strategy === 'rolling'
        ? `${name} releases rolling (${describeRelease(config.release)}): there is no candidate or bake; nothing to promote.`
        : `On ${config.target} the platform moves the traffic of ${name} itself (${describeRelease(config.release)}); \`bentoctl apply\` waited while it did, so there is no bake left for bentoctl to wait out or promote.`,
    );
    const ready = await endpointCheck(outputs, serving, options);
    return { ...base, outcome: 'moved-by-platform', serving, ready };
  }
  if (traffic.phase !== 'canary' && traffic.phase !== 'waiting') {
    const serving = find(traffic.stable_release);
    say(
      `No candidate of ${name} holds part of its traffic (the release is ${traffic.phase}): revision ${traffic.stable_revision}${serving === null ? '' : ` (release ${serving.number})`} takes all of it; nothing to promote.`,
    );
    const ready = await endpointCheck(outputs, serving, options);
    return { ...base, outcome: 'nothing-in-progress', serving, ready };
  }

  const bakeWaitedSeconds = await waitOutBake(name, traffic, options);
  const candidate = find(traffic.candidate_release);
  const health = platformChecks(config.target, config.release.strategy, outputs)
    ? approvalHealth(name, config.target, traffic, say)
    : await checkHealth(outputs, traffic, candidate, options);
  const move = (action: 'promote' | 'abort') =>
    runReleaseMove({
      action,
      configFile: options.configFile,
      autoApprove: options.autoApprove,
      wait: options.wait,
      waitTimeoutSeconds: options.waitTimeoutSeconds,
      generate: options.generate,
      json: options.json,
      interrupts,
      say,
      log: options.log,
      review: options.review,
      ...(traffic.candidate_revision === null
        ? {}
        : { checkedCandidate: traffic.candidate_revision }),
    });
  if (!health.healthy) {
    say(
      `The candidate of ${name} is not healthy: aborting, all traffic back to revision ${traffic.stable_revision}`,
    );
    await move('abort');
    throw errors.releaseCandidateUnhealthy(
      name,
      traffic.candidate_revision ?? '?',
      health.problems,
      traffic.stable_revision,
    );
  }
  const promote = await move('promote');
  return {
    ...base,
    outcome: 'promoted',
    bakeWaitedSeconds,
    health,
    promote,
    serving: promote.serving,
    ready: promote.ready,
  };
}

/**
 * Sleeps until the canary's bake is over (RELEASE_BAKE_TOO_LONG when more than the limit is
 * left); returns the seconds slept. A stop signal ends the sleep with a rejection.
 */
export async function waitOutBake(
  name: string,
  traffic: TrafficState,
  options: Pick<AfterBakeOptions, 'interrupts' | 'say' | 'maxBakeWaitMinutes'>,
): Promise<number> {
  const { interrupts, say } = options;
  if (traffic.phase !== 'canary' || traffic.started_at === null) return 0;
  const endsAt = Date.parse(traffic.started_at) + traffic.bake_minutes * 60_000 + BAKE_MARGIN_MS;
  const leftMs = endsAt - Date.now();
  if (leftMs <= BAKE_MARGIN_MS) return 0;
  // The bake's own minutes, as the plan counts them: the margin is not part of it.
  const leftMinutes = Math.ceil((leftMs - BAKE_MARGIN_MS) / 60_000);
  if (leftMinutes > options.maxBakeWaitMinutes) {
    throw errors.releaseBakeTooLong(name, leftMinutes, options.maxBakeWaitMinutes);
  }
  interrupts.doing(`the bake wait of ${name}`, [
    'nothing was applied: the candidate keeps its share',
    '`bentoctl release promote --after-bake` waits for the rest of the bake',
  ]);
  say(
    `Waiting ${leftMinutes} min for the canary of ${name} (${traffic.percent} % to revision ${traffic.candidate_revision ?? '?'}) to finish its bake of ${traffic.bake_minutes} min`,
  );
  const started = Date.now();
  for (let left = leftMs; left > 0; left = endsAt - Date.now()) {
    // An aborted sleep rejects; interruptible() reports it as INTERRUPTED (exit 130).
    await sleep(Math.min(left, BAKE_PROGRESS_MS), undefined, { signal: interrupts.signal });
    const rest = endsAt - Date.now();
    if (rest > 0) say(`  ${Math.ceil(rest / 60_000)} min of bake left`);
  }
  return Math.round((Date.now() - started) / 1000);
}

/**
 * Whether only the platform can check the candidate: it waits for an approval (the target's
 * approvalStrategies) and the stack declares no URL of the candidate to ask (generated before
 * aws-ecs had its test listener).
 */
function platformChecks(
  target: TargetName,
  strategy: ReleaseStrategy,
  outputs: TerraformOutputs,
): boolean {
  return candidateUrlOf(outputs) === undefined && platformApproves(target, strategy);
}

/** The candidate of an approval stack without its URL, which bentoctl cannot ask. */
function approvalHealth(
  name: string,
  target: string,
  traffic: TrafficState,
  say: (line: string) => void,
): CandidateHealth {
  const readiness = `not asked: ${target} checks the new tasks' health before it asks for the approval, and its alarms roll them back after the shift`;
  say(
    `The stack of ${name} declares no ${CANDIDATE_ENDPOINT_OUTPUT} to ask the candidate (revision ${traffic.candidate_revision ?? '?'}) on; ${readiness}. Approving it.`,
  );
  return {
    url: '',
    healthy: true,
    checked: false,
    readiness,
    revision: null,
    errorRate: null,
    errorRateNote: `not asked: no ${CANDIDATE_ENDPOINT_OUTPUT} output`,
    problems: [],
  };
}

/** Asks the candidate's own URL; reports what it found. */
async function checkHealth(
  outputs: TerraformOutputs,
  traffic: TrafficState,
  candidate: Release | null,
  options: AfterBakeOptions,
): Promise<CandidateHealth> {
  const { interrupts, say } = options;
  const output = candidateUrlOf(outputs);
  const revision = traffic.candidate_revision ?? '?';
  if (output === undefined) {
    return {
      url: '',
      healthy: false,
      checked: false,
      readiness: 'not asked',
      revision: null,
      errorRate: null,
      errorRateNote: 'not asked',
      problems: [`the stack has no ${CANDIDATE_ENDPOINT_OUTPUT} output to ask the candidate on`],
    };
  }
  interrupts.doing(`the health check of revision ${revision}`, [
    'nothing was applied: the candidate keeps its share',
  ]);
  say(`Checking the candidate (revision ${revision}) on its own URL ${output}`);
  const health = await untilInterrupted(
    checkCandidate(output, expectedOf(candidate), {
      onRetry: (reason) => say(`  not yet: ${reason}`),
    }),
    interrupts,
  );
  say(`  readiness: ${health.readiness}`);
  say(
    `  5xx rate: ${health.errorRate === null ? '' : `${health.errorRate.percent} % of ${health.errorRate.requests} requests`}${health.errorRate !== null && health.errorRateNote !== null ? ', ' : ''}${health.errorRateNote ?? ''}`,
  );
  return health;
}

/** With --wait: the endpoint answers from `serving` (or is ready, when it names no image). */
async function endpointCheck(
  outputs: TerraformOutputs,
  serving: Release | null,
  options: AfterBakeOptions,
): Promise<ReadyResult | null> {
  const endpoint = endpointOf(outputs);
  if (!options.wait || endpoint === undefined) return null;
  options.interrupts.doing(`the wait for ${endpoint} to answer`, ['nothing was applied']);
  return untilInterrupted(
    waitUntilUrlServes(endpoint, expectedOf(serving), {
      timeoutSeconds: options.waitTimeoutSeconds,
      progress: options.say,
      log: options.log,
    }),
    options.interrupts,
  );
}

function expectedOf(release: Release | null): ExpectedRevision {
  return {
    ...(release?.image_digest == null ? {} : { imageDigest: release.image_digest }),
    ...(release?.bento_version == null ? {} : { bentoVersion: release.bento_version }),
  };
}
