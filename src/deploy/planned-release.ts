/**
 * The plan step's part in the release history: after `terraform init`, read the history from
 * the state, decide whether this plan makes a new release (what runs changed) and write the
 * release file for `terraform plan` to include. See release-stack-file.ts for where it lives.
 */
import type { TerminatedRefusal } from '../errors/index.js';
import { readBuildRecord, type Release } from './deployment-records.js';
import type { StackWritten } from '../terraform/stack-writer.js';
import type { Terraform } from '../terraform/terraform.js';
import type { DeploymentRun } from './deployment-run.js';
import {
  configDigest,
  currentActor,
  currentRelease,
  nextHistory,
  type ReleaseCandidate,
} from './release-history.js';
import { historyFromOutputs, trafficFromOutputs, writeReleaseFile } from './release-stack-file.js';
import {
  lifecycleFromOutputs,
  nextLifecycle,
  type LifecycleIntent,
  type LifecycleRecord,
} from './lifecycle-state.js';
import { planTraffic, trafficControlOf, type TrafficControl } from './traffic-plan.js';
import type { TrafficAction, TrafficState } from './traffic-state.js';

export interface PlannedReleases {
  /** The history in the state before this plan. */
  readonly previous: readonly Release[];
  /** The history this plan writes. */
  readonly history: readonly Release[];
  /** The entry this plan adds; undefined when what runs is unchanged. */
  readonly added: Release | undefined;
  /** What the plan deploys (also when no entry is added). */
  readonly candidate: ReleaseCandidate;
  /** The lifecycle record this plan writes; undefined for a deployment never terminated. */
  readonly lifecycle: LifecycleRecord | undefined;
  /** The lifecycle record in the state before this plan. */
  readonly previousLifecycle: LifecycleRecord | undefined;
  /** Who gets the traffic before and after this plan, where bentoctl moves it. */
  readonly previousTraffic: TrafficState | undefined;
  readonly traffic: TrafficState | undefined;
  /** How the stack takes `traffic`: a split, or an approval its platform acts on. */
  readonly trafficControl?: TrafficControl;
}

export interface PlanReleaseOptions {
  /** The folder of the stack that carries the history (initialised). */
  readonly stackDir: string;
  /** The terraform of that stack. */
  readonly terraform: Terraform;
  /** The stack writer's answer; undefined when the stack was already there. */
  readonly written: StackWritten | undefined;
  /** `bentoctl rollback`: the release whose image this plan restores. */
  readonly rollbackTo?: Release;
  /**
   * `terminate` or `restore`; else the lifecycle is kept, and a terminated one refused (also
   * `release promote` / `abort`). @default 'keep'
   */
  readonly lifecycle?: LifecycleIntent;
  /** `release promote` / `abort` move the traffic; apply follows the stack. @default 'apply' */
  readonly traffic?: TrafficAction;
  /** `release promote --skip-bake`. @default false */
  readonly skipBake?: boolean;
}

/** Reads the history (the stack is initialised) and writes the release file; the lock is held. */
export async function planRelease(
  run: DeploymentRun,
  options: PlanReleaseOptions,
): Promise<PlannedReleases> {
  const { stackDir, terraform } = options;
  const outputs = await terraform.outputs(stackDir);
  const previous = historyFromOutputs(outputs);
  const actor = currentActor();
  // Before anything is planned: a terminated deployment is not brought back by a plain apply,
  // nor its traffic moved by release promote / abort.
  const previousLifecycle = lifecycleFromOutputs(outputs);
  const lifecycle = nextLifecycle(
    terminatedRefusal(run),
    previousLifecycle,
    options.lifecycle ?? 'keep',
    actor.by,
  );
  const candidate = releaseCandidate(run, options);
  const { history, added } = nextHistory(previous, candidate, actor);
  const previousTraffic = trafficFromOutputs(outputs);
  const traffic = planTraffic(run, previousTraffic, {
    stackDir,
    action: options.traffic ?? 'apply',
    currentRelease: currentRelease(history)?.number ?? null,
    ...(options.skipBake === undefined ? {} : { skipBake: options.skipBake }),
  });
  writeReleaseFile(stackDir, history, {
    ...(lifecycle === undefined ? {} : { lifecycle }),
    ...(traffic === undefined ? {} : { traffic }),
  });
  if (added !== undefined) {
    run.progress(
      `This plan records release ${added.number}${current(previous)}: ${added.image_digest ?? 'an image without a digest'}`,
    );
  }
  const trafficControl = traffic === undefined ? undefined : trafficControlOf(stackDir);
  return {
    previous,
    history,
    added,
    candidate,
    lifecycle,
    previousLifecycle,
    previousTraffic,
    traffic,
    ...(trafficControl === undefined ? {} : { trafficControl }),
  };
}

/** What a refusal of a terminated deployment names: this run's command and config. */
function terminatedRefusal(run: DeploymentRun): TerminatedRefusal {
  const command = run.command ?? 'apply';
  return {
    deployment: run.config.name,
    configFile: run.config.source.file,
    // terminate and restore change the lifecycle and are never refused for it; destroy plans none.
    command:
      command === 'terminate' || command === 'restore' || command === 'destroy' ? 'apply' : command,
  };
}

function current(previous: readonly Release[]): string {
  const release = currentRelease(previous);
  return release === undefined ? '' : ` (the current one is ${release.number})`;
}

/**
 * The image the stack pins, as the writer reports it, else the build record (a stack used as
 * it is). The bento version comes from the release rolled back to, else from the build record
 * when it describes that image: an `--image` of unknown origin has no known bento version.
 */
function releaseCandidate(run: DeploymentRun, options: PlanReleaseOptions): ReleaseCandidate {
  const build = readBuildRecord(run.paths.buildRecord);
  const image =
    options.written?.image ??
    (build === undefined ? undefined : { repository: build.repository, digest: build.digest });
  const sameImage = build !== undefined && image?.digest === build.digest;
  const bentoVersion =
    options.rollbackTo !== undefined
      ? options.rollbackTo.bento_version
      : sameImage
        ? (build.bento_version ?? build.tag ?? null)
        : null;
  return {
    bentoVersion,
    imageRepository: image?.repository ?? null,
    imageDigest: image?.digest ?? null,
    configDigest: configDigest(run.config),
    ...(options.rollbackTo === undefined ? {} : { rollbackTo: options.rollbackTo }),
  };
}
