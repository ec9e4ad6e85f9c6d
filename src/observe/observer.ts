/**
 * The one interface `logs` and `status` use, whatever the target: each target's readers live in
 * their own modules and load (with their SDK) only when that target is asked about.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { TargetName } from '../targets/names.js';
import type { LiveStatus } from './live-status.js';
import type { LogSource } from './log-source.js';

export interface CloudObserver {
  /** The runtime's log lines. */
  logs(): Promise<LogSource>;
  /** What runs now, as the cloud says. */
  status(): Promise<LiveStatus>;
}

/** Test seams: SDK clients and a fetch to answer from scripts instead of the cloud. */
export interface ObserverDependencies {
  readonly aws?: {
    readonly logs?: import('./aws-errors.js').AwsClientLike;
    readonly ecs?: import('./aws-errors.js').AwsClientLike;
    readonly elb?: import('./aws-errors.js').AwsClientLike;
    readonly autoScaling?: import('./aws-errors.js').AwsClientLike;
  };
  readonly google?: import('./google-api.js').GoogleApiDependencies;
  readonly azure?: import('./aks-observer.js').AzureDependencies;
}

/** The target's observer; its readers and their SDKs load only when asked. */
export async function observerFor(
  config: ResolvedConfig,
  dependencies: ObserverDependencies = {},
): Promise<CloudObserver> {
  const target = config.target as TargetName;
  switch (target) {
    case 'aws-ecs':
    case 'aws-ec2-gpu': {
      const { awsObserver } = await import('./aws-observer.js');
      return awsObserver(config, target, dependencies.aws ?? {});
    }
    case 'google-cloud-run': {
      const { cloudRunObserver } = await import('./cloud-run-observer.js');
      return cloudRunObserver(config, dependencies.google ?? {});
    }
    case 'azure-aks': {
      const { aksObserver } = await import('./aks-observer.js');
      return aksObserver(config, dependencies.azure ?? {});
    }
  }
}
