/**
 * After apply or rollback: wait until the endpoint serves what was just applied (the revision
 * the apply record names), with a progress line per attempt. Shared by both commands so they
 * report the same way.
 */
import { endpointOf } from '../terraform/outputs.js';
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
  const endpoint = endpointOf(applied.outputs);
  if (endpoint === undefined) return null;
  const expected = expectedRevision(applied);
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
