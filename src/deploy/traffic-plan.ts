/**
 * The plan step's part in the traffic of a canary or blue-green release: when the stack takes
 * its split as the `bentoctl_traffic` variable (src/targets/traffic-split.ts), decide the next
 * traffic state from the one in the state and write the split for terraform to read. A stack
 * whose platform shifts the traffic once approved (aws-ecs blue-green) takes the approval
 * variable instead (`bentoctl_approval`): the same traffic state decides which revision is
 * approved and which rejected. Stacks with neither (rolling, aws-ecs canary, where ECS moves
 * the traffic by itself) get no file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_FILE } from '../stack-file.js';
import {
  APPROVAL_VARIABLE,
  TRAFFIC_PHASE_VARIABLE,
  TRAFFIC_VARIABLE,
} from '../targets/traffic-split.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { candidateUrlWords } from '../targets/registry.js';
import { stableJson } from '../targets/stable-json.js';
import { writeFileAtomic } from '../write-atomic.js';
import { errors } from '../errors/index.js';
import type { DeploymentRun } from './deployment-run.js';
import { APPROVAL_VARS_FILE, TRAFFIC_VARS_FILE } from './release-stack-file.js';
import {
  approvalOf,
  nextTraffic,
  splitOf,
  type TrafficAction,
  type TrafficState,
} from './traffic-state.js';

/** How the stack takes the traffic bentoctl decides: a split, or an approval the platform acts on. */
export type TrafficControl = 'split' | 'approval';

/** The file terraform reads each variable from, beside the stack. */
const VARS_FILES: Readonly<Record<TrafficControl, string>> = {
  split: TRAFFIC_VARS_FILE,
  approval: APPROVAL_VARS_FILE,
};

export interface TrafficPlanOptions {
  /** The folder of the stack that carries the release history (and so the traffic split). */
  readonly stackDir: string;
  readonly action: TrafficAction;
  /** The release the stack runs after this plan. */
  readonly currentRelease: number | null;
  /** @default false */
  readonly skipBake?: boolean;
}

/** The traffic state this plan writes, or undefined when bentoctl does not move this traffic. */
export function planTraffic(
  run: DeploymentRun,
  previous: TrafficState | undefined,
  options: TrafficPlanOptions,
): TrafficState | undefined {
  const { config } = run;
  const { release } = config;
  const stack = trafficStack(options.stackDir);
  const traffic = release.strategy === 'rolling' ? undefined : stack;
  // A file the stack no longer reads would set a variable it does not declare.
  for (const [control, file] of Object.entries(VARS_FILES)) {
    if (control !== traffic?.control) rmSync(join(options.stackDir, file), { force: true });
  }
  if (traffic === undefined || release.strategy === 'rolling') {
    if (options.action !== 'apply') {
      throw errors.releaseMovedByPlatform(config.name, config.target, release.strategy);
    }
    return undefined;
  }
  const stackRevision = traffic.revision;
  const next = nextTraffic(previous, {
    stackRevision,
    release,
    action: options.action,
    currentRelease: options.currentRelease,
    deployment: config.name,
    control: traffic.control,
    ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
  });
  if (previous === undefined && options.action === 'apply') {
    run.progress(
      `No earlier revision of ${config.name} is recorded under a ${release.strategy} release, so this one (${stackRevision}) takes all traffic; the next new revision starts as a candidate.`,
    );
  } else if (next !== previous) {
    run.progress(
      traffic.control === 'split'
        ? `Traffic after this plan: ${describeSplit(next, config)}`
        : `After this plan: ${describeApproval(next, config.target)}`,
    );
  }
  writeFileAtomic(
    join(options.stackDir, VARS_FILES[traffic.control]),
    stableJson(
      traffic.control === 'split'
        ? {
            [TRAFFIC_VARIABLE]: splitOf(next),
            // Only a stack that runs its candidate as separate compute (azure-aks) reads it.
            ...(traffic.declaresPhase ? { [TRAFFIC_PHASE_VARIABLE]: next.phase } : {}),
          }
        : { [APPROVAL_VARIABLE]: approvalOf(next) },
    ),
  );
  return next;
}

/**
 * "iris-prod-3c4d waits for approval with no traffic; iris-prod-1a2b keeps all of it": what an
 * approval stack's platform does after this state.
 */
export function describeApproval(state: TrafficState, target: string): string {
  const candidate = state.candidate_revision ?? '?';
  switch (state.phase) {
    case 'waiting':
    case 'canary':
      return `${candidate} waits for approval with no traffic; ${state.stable_revision} keeps all of it`;
    case 'aborted':
      return `${candidate} is rejected: ${target} rolls it back, ${state.stable_revision} keeps all traffic`;
    case 'settled':
      return `${state.stable_revision} is approved: ${target} gives it all traffic once its new tasks are healthy`;
  }
}

/**
 * "iris-prod-1a2b 90 %, iris-prod-3c4d 10 % (tag candidate)": the split after `state`, with the
 * candidate's own URL named in its target's words after the revision it reaches (Cloud Run's
 * tag; elsewhere "own URL: load balancer port 8080", only while a candidate runs).
 */
export function describeSplit(
  state: TrafficState,
  config: Pick<ResolvedConfig, 'name' | 'target' | 'spec'>,
): string {
  const { kind, words } = candidateUrlWords(config);
  // The split tags the revision `candidate_endpoint` reaches; outside a canary or a wait for
  // promote, only a revision tag still has its own URL (a target's candidate listener or load
  // balancer then reaches a settled revision, a drained one or nothing).
  const named = kind === 'revision-tag' || state.phase === 'canary' || state.phase === 'waiting';
  return splitOf(state)
    .map(
      (target) =>
        `${target.revision} ${target.percent} %${target.tag !== null && named ? ` (${words})` : ''}`,
    )
    .join(', ');
}

/** How the stack in `stackDir` takes its traffic; undefined when bentoctl does not decide it. */
export function trafficControlOf(stackDir: string): TrafficControl | undefined {
  return trafficStack(stackDir)?.control;
}

/**
 * The revision the generated stack runs and how it takes the traffic: the default of its
 * `bentoctl_traffic` variable (a split) or of its `bentoctl_approval` variable (an approval)
 * names it. Undefined for a stack with neither.
 */
function trafficStack(stackDir: string):
  | {
      readonly control: TrafficControl;
      readonly revision: string;
      /** Whether the stack declares `bentoctl_traffic_phase` (optional). */
      readonly declaresPhase: boolean;
    }
  | undefined {
  const file = join(stackDir, STACK_FILE);
  if (!existsSync(file)) return undefined;
  const stack = JSON.parse(readFileSync(file, 'utf8')) as {
    variable?: {
      [TRAFFIC_VARIABLE]?: { default?: { revision?: unknown }[] };
      [APPROVAL_VARIABLE]?: { default?: { approved?: unknown } };
      [TRAFFIC_PHASE_VARIABLE]?: unknown;
    };
  };
  const declaresPhase = stack.variable?.[TRAFFIC_PHASE_VARIABLE] !== undefined;
  const split = stack.variable?.[TRAFFIC_VARIABLE]?.default?.[0]?.revision;
  if (typeof split === 'string') return { control: 'split', revision: split, declaresPhase };
  const approved = stack.variable?.[APPROVAL_VARIABLE]?.default?.approved;
  if (typeof approved === 'string')
    return { control: 'approval', revision: approved, declaresPhase };
  return undefined;
}
