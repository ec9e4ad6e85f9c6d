/**
 * After apply or rollback: wait until the endpoint serves what was just applied (the revision
 * the apply record names), with a progress line per attempt. Shared by both commands so they
 * report the same way.
 */
import { endpointOf, type TerraformOutputs } from '../terraform/outputs.js';
import { CANDIDATE_ENDPOINT_OUTPUT } from '../targets/traffic-split.js';
import type { AppliedDeployment } from './apply-deployment.js';
import {
  describeRevision,
  readyzUrl,
  waitForRevision,
  type ExpectedRevision,
  type ReadyResult,
} from './wait-ready.js';

export interface WaitServingOptions {
  readonly timeoutSeconds: number;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
  /** The result line (stdout). */
  readonly log: (line: string) => void;
  /**
   * Which URL to wait on: `candidate` is the newest revision's own URL (canary and blue-green on
   * a stack with a `candidate_endpoint` output), where the revision just applied answers even
   * while it has little or no traffic. Where the platform moves the traffic and `terraform
   * apply` waited for its whole deployment (aws-ecs canary: no traffic state), the new revision
   * already takes all of it, and the endpoint is what must answer from it.
   * @default 'candidate' when the stack has one and bentoctl keeps its traffic state, else 'endpoint'
   */
  readonly url?: 'endpoint' | 'candidate';
  /** What must answer. @default - what the apply deployed */
  readonly expected?: ExpectedRevision;
}

/** The revision the apply deployed: its image digest and bento version, where known. */
export function expectedRevision(applied: AppliedDeployment): ExpectedRevision {
  const { record } = applied;
  return {
    ...(record.image === null ? {} : { imageDigest: record.image.digest }),
    ...(record.bento_version === null ? {} : { bentoVersion: record.bento_version }),
  };
}

/** Null when the stack has no `endpoint` output. */
export async function waitUntilServing(
  applied: AppliedDeployment,
  options: WaitServingOptions,
): Promise<ReadyResult | null> {
  const endpoint = waitUrlOf(applied, options.url);
  if (endpoint === undefined) return null;
  return waitUntilUrlServes(endpoint, options.expected ?? expectedRevision(applied), options);
}

/** Waits until `<endpoint>/readyz` answers from `expected`, reporting as apply does. */
export async function waitUntilUrlServes(
  endpoint: string,
  expected: ExpectedRevision,
  options: Pick<WaitServingOptions, 'timeoutSeconds' | 'progress' | 'log'>,
): Promise<ReadyResult> {
  const checked = expected.imageDigest !== undefined || expected.bentoVersion !== undefined;
  options.progress(
    checked
      ? `Waiting up to ${options.timeoutSeconds} s for ${readyzUrl(endpoint)} to answer ready from ${describeRevision(expected)}`
      : `Waiting up to ${options.timeoutSeconds} s for ${readyzUrl(endpoint)} (the image has no recorded digest, so only readiness is checked)`,
  );
  const ready = await waitForRevision(endpoint, {
    expected,
    timeoutMs: options.timeoutSeconds * 1000,
    onRetry: (reason) => options.progress(`  not yet: ${reason}`),
  });
  options.log(
    ready.authRequired
      ? `${ready.url} answers HTTP ${ready.status}: the service is up but requires authentication, so neither readiness nor the revision was checked.`
      : checked
        ? `${ready.url} is ready and serves ${describeRevision(ready.revision ?? undefined)}.`
        : `${ready.url} is ready.`,
  );
  return ready;
}

/** The URL `waitUntilServing` waits on (see WaitServingOptions.url); undefined without one. */
export function waitUrlOf(
  applied: Pick<AppliedDeployment, 'outputs' | 'traffic'>,
  url: WaitServingOptions['url'],
): string | undefined {
  const candidate = candidateUrlOf(applied.outputs);
  const which = url ?? (applied.traffic === undefined ? 'endpoint' : 'candidate');
  if (which === 'candidate' && candidate !== undefined) return candidate;
  return endpointOf(applied.outputs);
}

/** The stack's `candidate_endpoint` output, when it has a non-empty one. */
export function candidateUrlOf(outputs: TerraformOutputs): string | undefined {
  const candidate = outputs[CANDIDATE_ENDPOINT_OUTPUT]?.value;
  return typeof candidate === 'string' && candidate !== '' ? candidate : undefined;
}
