/**
 * What `release promote` and `release abort` do between parsing and printing: the approval,
 * the move, the wait for the endpoint to answer from the revision that now takes all traffic.
 * The two command files only name the action and word the result.
 */
import type { Interrupts } from '../cli/interrupts.js';
import { untilInterrupted } from '../cli/interrupts.js';
import { loadConfig } from '../config/load.js';
import { discoverTerraform } from '../terraform/binary.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import { approvalFor, isInteractive, shouldStream } from './approval.js';
import { moveTraffic, type MovedTraffic } from './move-traffic.js';
import type { Release } from './deployment-records.js';
import type { TrafficState } from './traffic-state.js';
import type { ReadyResult } from './wait-ready.js';
import { waitUntilServing } from './wait-serving.js';

export interface ReleaseMoveResult {
  readonly deployment: string;
  readonly action: 'promote' | 'abort';
  readonly applied: boolean;
  readonly summary: PlanSummary;
  readonly before: TrafficState;
  readonly after: TrafficState | null;
  /** The release that now takes all traffic. */
  readonly serving: Release | null;
  readonly ready: ReadyResult | null;
}

export interface ReleaseMoveOptions {
  readonly action: 'promote' | 'abort';
  readonly configFile: string;
  readonly autoApprove: boolean;
  readonly wait: boolean;
  readonly waitTimeoutSeconds: number;
  readonly generate: boolean;
  readonly skipBake?: boolean;
  /** Move only this candidate revision (`--after-bake` checked it). @default - any */
  readonly checkedCandidate?: string;
  readonly json: boolean;
  readonly interrupts: Interrupts;
  /** Progress (stderr). */
  readonly say: (line: string) => void;
  /** Results (stdout). */
  readonly log: (line: string) => void;
  readonly review: (summary: PlanSummary, title: string) => void;
}

export async function runReleaseMove(options: ReleaseMoveOptions): Promise<ReleaseMoveResult> {
  const { action, interrupts, say } = options;
  const command = action === 'promote' ? 'release promote' : 'release abort';
  const config = loadConfig(options.configFile);
  // Checked before reading the state, so CI without --auto-approve fails at once.
  const approval = approvalFor({
    command,
    deployment: config.name,
    autoApprove: options.autoApprove,
    interactive: isInteractive(options.json),
    signal: interrupts.signal,
    review: (summary) =>
      options.review(summary, `${command} plan for ${config.name} (${config.target})`),
  });
  interrupts.doing(`the traffic state read of ${config.name}`, ['nothing was applied']);
  const moved: MovedTraffic = await moveTraffic({
    config,
    action,
    binary: await discoverTerraform(),
    approval,
    stream: shouldStream(options.json),
    progress: say,
    interrupts,
    skipGenerate: !options.generate,
    ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
    ...(options.checkedCandidate === undefined
      ? {}
      : { checkedCandidate: options.checkedCandidate }),
  });
  const { applied } = moved;
  let ready: ReadyResult | null = null;
  if (options.wait) {
    interrupts.doing(`the wait for ${config.name} to serve from one revision`, [
      `the traffic of ${config.name} is moved; \`bentoctl release status -f ${options.configFile}\` shows who answers`,
    ]);
    ready = await untilInterrupted(
      waitUntilServing(applied, {
        timeoutSeconds: options.waitTimeoutSeconds,
        progress: say,
        log: options.log,
        url: 'endpoint',
        expected: moved.expected,
      }),
      interrupts,
    );
  }
  return {
    deployment: config.name,
    action,
    applied: applied.applied,
    summary: applied.summary,
    before: moved.before,
    after: applied.traffic ?? null,
    serving: moved.serving,
    ready,
  };
}
