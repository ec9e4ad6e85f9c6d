/**
 * `bentoctl apply`, `rollback` and `restore` after the run is opened: build first when asked or when there
 * is nothing to deploy yet, apply (apply-deployment.ts), report, then wait until the endpoint
 * serves the revision just applied (wait-serving.ts). One sequence, so both commands build,
 * report and wait the same way and an interrupt names the same steps.
 */
import { existsSync } from 'node:fs';
import { untilInterrupted } from '../cli/interrupts.js';
import { endpointOf } from '../terraform/outputs.js';
import { platformApproves } from '../targets/registry.js';
import { CANDIDATE_ENDPOINT_OUTPUT } from '../targets/traffic-split.js';
import { applyDeployment, type AppliedDeployment, type ApplyOptions } from './apply-deployment.js';
import type { OpenedRun } from './open-run.js';
import { readyzUrl, type ReadyResult } from './wait-ready.js';
import { candidateUrlOf, waitUntilServing } from './wait-serving.js';

export interface ApplyAndWaitOptions extends ApplyOptions {
  /**
   * `--build`: build and push the image before generating the stack.
   * @default false - built only when generate would need the build record and there is none
   */
  readonly build?: boolean;
  /** `--no-wait` is false. */
  readonly wait: boolean;
  readonly waitTimeoutSeconds: number;
  /** Prints what the apply did, before the wait starts. */
  readonly report: (applied: AppliedDeployment) => void;
}

export interface AppliedAndReady extends AppliedDeployment {
  /** The /readyz check; null with --no-wait or without an endpoint output. */
  readonly ready: ReadyResult | null;
}

/** Builds when buildFirst says so, applies, reports, waits; see the file comment. */
export async function applyAndWait(
  opened: OpenedRun,
  options: ApplyAndWaitOptions,
): Promise<AppliedAndReady> {
  const { run, approval, interrupts } = opened;
  const { config } = run;
  if (buildFirst(opened, options)) {
    run.progress(`Building and pushing the image for ${config.name}`);
    interrupts.doing(`the image build of ${config.name}`, ['nothing was applied']);
    // The build takes no signal here; a Ctrl-C ends the wait, and the process with it.
    // dockerode and the registry clients load only when a build runs.
    const { buildAndPush } = await import('../builders/workflow-steps.js');
    await untilInterrupted(buildAndPush(config), interrupts);
    interrupts.doing(`${opened.command} of ${config.name}`);
  }
  const applied = await applyDeployment(run, approval, {
    ...(options.rollbackTo === undefined ? {} : { rollbackTo: options.rollbackTo }),
    ...(options.savedPlan === undefined ? {} : { savedPlan: options.savedPlan }),
    ...(options.lifecycle === undefined ? {} : { lifecycle: options.lifecycle }),
  });
  options.report(applied);
  const endpoint = endpointOf(applied.outputs);
  if (!options.wait || endpoint === undefined) return { ...applied, ready: null };
  const approvalStack = platformApproves(config.target, config.release.strategy);
  const waiting = approvalStack ? awaitingApproval(applied) : undefined;
  const next = (revision: string) =>
    `\`bentoctl release promote -f ${opened.configFile}\` approves revision ${revision} and waits while ${config.target} shifts the traffic, \`bentoctl release abort -f ${opened.configFile}\` rejects it; \`bentoctl status -f ${opened.configFile}\` shows its deployment.`;
  if (waiting?.url === undefined && waiting !== undefined) {
    // Nothing to wait on: the endpoint answers from the stable revision until the approval, and
    // this stack (generated before the candidate had a URL) declares none for the candidate.
    run.progress(
      `Revision ${waiting.revision} of ${config.name} waits for approval and takes no traffic; the stack has no ${CANDIDATE_ENDPOINT_OUTPUT} output to wait on (regenerate it: \`bentoctl apply\` without --no-generate or --plan). ${next(waiting.revision)}`,
    );
    return { ...applied, ready: null };
  }
  interrupts.doing(`the wait for ${readyzUrl(endpoint)}`, [
    `${config.name} is applied; \`bentoctl status -f ${opened.configFile}\` shows whether it serves`,
  ]);
  // Waiting for approval, the candidate answers on its own URL once the platform sends it the
  // test traffic (aws-ecs: its test listener, before the lifecycle hook asks): the wait ends
  // when the reviewer can smoke-test it. With no candidate waiting, the endpoint serves what
  // was applied, and the test listener is the platform's between deployments.
  const ready = await untilInterrupted(
    waitUntilServing(applied, {
      timeoutSeconds: options.waitTimeoutSeconds,
      progress: run.progress,
      log: opened.log,
      ...(approvalStack ? { url: waiting === undefined ? 'endpoint' : 'candidate' } : {}),
    }),
    interrupts,
  );
  if (waiting?.url !== undefined) {
    run.progress(
      `Revision ${waiting.revision} of ${config.name} waits for approval and takes no production traffic; it answers alone on ${waiting.url} for a smoke test. ${next(waiting.revision)}`,
    );
  }
  return { ...applied, ready };
}

/**
 * On a stack whose platform acts on an approval (aws-ecs blue-green): the candidate revision
 * when it waits for one, with its own URL when the stack declares one; undefined otherwise.
 */
function awaitingApproval(
  applied: AppliedDeployment,
): { readonly revision: string; readonly url: string | undefined } | undefined {
  const { traffic } = applied;
  if (traffic?.phase !== 'waiting' || traffic.candidate_revision === null) return undefined;
  return { revision: traffic.candidate_revision, url: candidateUrlOf(applied.outputs) };
}

/**
 * `--build`, or a run that would generate from the build record when none exists yet (no
 * --image, no saved plan, no --no-generate): there is nothing to deploy without a build.
 */
export function buildFirst(opened: OpenedRun, options: ApplyAndWaitOptions): boolean {
  if (options.build === true) return true;
  return (
    opened.run.writeStack !== undefined &&
    options.savedPlan === undefined &&
    options.rollbackTo === undefined &&
    options.lifecycle === undefined &&
    opened.image === undefined &&
    !existsSync(opened.run.paths.buildRecord)
  );
}
