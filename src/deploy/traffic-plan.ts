/**
 * The plan step's part in the traffic of a canary or blue-green release: when the stack takes
 * its split as the `bentoctl_traffic` variable (src/targets/traffic-split.ts), decide the next
 * traffic state from the one in the state and write the split for terraform to read. Stacks
 * without the variable (rolling, and aws-ecs, where ECS moves traffic itself) get no file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_FILE } from '../stack-file.js';
import { TRAFFIC_PHASE_VARIABLE, TRAFFIC_VARIABLE } from '../targets/traffic-split.js';
import { stableJson } from '../targets/stable-json.js';
import { writeFileAtomic } from '../write-atomic.js';
import { errors } from '../errors/index.js';
import type { DeploymentRun } from './deployment-run.js';
import { TRAFFIC_VARS_FILE } from './release-stack-file.js';
import { nextTraffic, splitOf, type TrafficAction, type TrafficState } from './traffic-state.js';

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
  const varsFile = join(options.stackDir, TRAFFIC_VARS_FILE);
  const stackRevision = trafficRevision(options.stackDir);
  const { release } = config;
  if (stackRevision === undefined || release.strategy === 'rolling') {
    rmSync(varsFile, { force: true });
    if (options.action !== 'apply') {
      throw errors.releaseMovedByPlatform(config.name, config.target, release.strategy);
    }
    return undefined;
  }
  const next = nextTraffic(previous, {
    stackRevision,
    release,
    action: options.action,
    currentRelease: options.currentRelease,
    deployment: config.name,
    ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
  });
  if (previous === undefined && options.action === 'apply') {
    run.progress(
      `No earlier revision of ${config.name} is recorded under a ${release.strategy} release, so this one (${stackRevision}) takes all traffic; the next new revision starts as a candidate.`,
    );
  } else if (next !== previous) {
    run.progress(`Traffic after this plan: ${describeSplit(next)}`);
  }
  writeFileAtomic(
    varsFile,
    stableJson({
      [TRAFFIC_VARIABLE]: splitOf(next),
      ...(declaresVariable(options.stackDir, TRAFFIC_PHASE_VARIABLE)
        ? { [TRAFFIC_PHASE_VARIABLE]: next.phase }
        : {}),
    }),
  );
  return next;
}

/** "iris-prod-1a2b 90 %, iris-prod-3c4d 10 % (tag candidate)" */
export function describeSplit(state: TrafficState): string {
  return splitOf(state)
    .map(
      (target) =>
        `${target.revision} ${target.percent} %${target.tag === null ? '' : ` (tag ${target.tag})`}`,
    )
    .join(', ');
}

/**
 * The revision the generated stack runs: its `bentoctl_traffic` variable's default names it.
 * Undefined for a stack without the variable.
 */
function trafficRevision(stackDir: string): string | undefined {
  const revision = stackVariables(stackDir)?.[TRAFFIC_VARIABLE]?.default?.[0]?.revision;
  return typeof revision === 'string' ? revision : undefined;
}

/** Whether the generated stack declares `name` (the phase variable is optional). */
function declaresVariable(stackDir: string, name: string): boolean {
  return stackVariables(stackDir)?.[name] !== undefined;
}

function stackVariables(
  stackDir: string,
): Record<string, { default?: { revision?: unknown }[] }> | undefined {
  const file = join(stackDir, STACK_FILE);
  if (!existsSync(file)) return undefined;
  const stack = JSON.parse(readFileSync(file, 'utf8')) as {
    variable?: Record<string, { default?: { revision?: unknown }[] }>;
  };
  return stack.variable;
}
