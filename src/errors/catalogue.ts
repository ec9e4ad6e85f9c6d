/**
 * Every error bentoctl raises on purpose, in one place. Each factory says what happened, why,
 * and what to do; `docs/errors.md` lists the same codes and a test keeps the two in sync.
 */
import { dirname } from 'node:path';
import { BentoctlError, type Diagnostic, type ErrorKind } from './bentoctl-error.js';
import { InterruptedError, type InterruptedParts } from './interrupted-error.js';

/** The code, kind and one-line remedy of each error, as documented in docs/errors.md. */
export const ERROR_CATALOGUE = {
  CONFIG_NOT_FOUND: {
    kind: 'usage',
    fix: 'Check the path given to -f, or create one with `bentoctl init`.',
  },
  CONFIG_NOT_A_FILE: {
    kind: 'usage',
    fix: 'Point -f at the YAML file inside the folder, not the folder.',
  },
  CONFIG_UNREADABLE: { kind: 'usage', fix: 'Check the file permissions.' },
  CONFIG_EMPTY: { kind: 'usage', fix: 'Write a config, or generate one with `bentoctl init`.' },
  CONFIG_YAML_SYNTAX: {
    kind: 'usage',
    fix: 'Fix the YAML at the line shown (indentation, quotes, duplicate keys).',
  },
  CONFIG_INVALID: {
    kind: 'usage',
    fix: 'Fix each field listed; `bentoctl targets show <target>` lists the valid spec fields.',
  },
  CONFIG_ENV_UNSET: {
    kind: 'usage',
    fix: 'Export the variable, or give a default with ${VAR:-default}.',
  },
  BENTO_NOT_FOUND: {
    kind: 'usage',
    fix: 'Point `bento` at a folder with a bento.yaml, a bento archive, or name:version from `bentoctl bento list`.',
  },
  BENTO_DIR_NOT_FOUND: {
    kind: 'usage',
    fix: 'Check the path: it must be a folder holding bento.yaml (`bentoctl bento list` shows stored bentos).',
  },
  TARGET_UNKNOWN: { kind: 'usage', fix: 'Run `bentoctl targets list` for the valid names.' },
  OUTPUT_EXISTS: {
    kind: 'usage',
    fix: 'Pass --force to overwrite it, or choose another path with --output.',
  },
  FLAG_INVALID: { kind: 'usage', fix: 'Run the command with --help for the expected form.' },
  FLAG_UNKNOWN: { kind: 'usage', fix: 'Run the command with --help for its flags.' },
  FLAG_MISSING: { kind: 'usage', fix: 'Pass the flags named; --help shows what each one takes.' },
  FLAG_CONFLICT: {
    kind: 'usage',
    fix: 'Drop one of the flags named, or add the one it needs; --help explains each.',
  },
  ARGUMENT_UNEXPECTED: {
    kind: 'usage',
    fix: 'Pass the value with the flag the command expects; --help lists them.',
  },
  ARGUMENT_MISSING: { kind: 'usage', fix: 'Pass the argument named; --help describes it.' },
  ARGUMENT_INVALID: { kind: 'usage', fix: 'Pass one of the values listed.' },
  COMMAND_UNKNOWN: { kind: 'usage', fix: 'Run `bentoctl --help` for the commands.' },
  SPEC_FIELD_UNKNOWN: {
    kind: 'usage',
    fix: 'Run `bentoctl targets show <target>` for the spec fields.',
  },
  INIT_INPUT_MISSING: {
    kind: 'usage',
    fix: 'Pass the values as flags; --yes accepts the defaults of fields that have one.',
  },
  TERRAFORM_NOT_FOUND: {
    kind: 'external',
    fix: 'Install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) or set TERRAFORM_BIN to its path.',
  },
  TERRAFORM_TOO_OLD: {
    kind: 'external',
    fix: 'Install Terraform >= 1.5 (>= 1.10 for an S3 backend with use_lockfile; https://developer.hashicorp.com/terraform/install) or set TERRAFORM_BIN to a newer one.',
  },
  TERRAFORM_FAILED: {
    kind: 'external',
    fix: "Read terraform's error above; fix the config, credentials or cloud quota it names, then rerun.",
  },
  TERRAFORM_OUTPUT_INVALID: {
    kind: 'external',
    fix: 'Check that TERRAFORM_BIN is a real terraform >= 1.5; rerun with DEBUG=* and report the output.',
  },
  DEPLOYMENT_LOCKED: {
    kind: 'usage',
    fix: 'Wait for the other run to finish; if it was killed, delete the lock file named in the message.',
  },
  CONFIRMATION_REQUIRED: {
    kind: 'usage',
    fix: 'Pass --auto-approve when running without a terminal (CI).',
  },
  CONFIRMATION_DECLINED: {
    kind: 'usage',
    fix: 'Nothing was changed; rerun when the plan is what you want.',
  },
  STACK_NOT_GENERATED: {
    kind: 'usage',
    fix: 'Run `bentoctl generate -f <config>` first, or drop --no-generate.',
  },
  IMAGE_NOT_RECORDED: {
    kind: 'usage',
    fix: 'Run `bentoctl build -f <config> --push` (or `bentoctl apply -f <config> --build`) so a pushed digest is recorded; `bentoctl generate -f <config> --image <repository@sha256:...>` names one instead.',
  },
  DEPLOYMENT_DIR_ELSEWHERE: {
    kind: 'usage',
    fix: 'Move the folder beside the config (`mv .bentoctl/<name> <config folder>/.bentoctl/`), or set BENTOCTL_STATE_DIR=.bentoctl to keep the deployment folders in the current directory.',
  },
  DEPLOYMENT_TERMINATED: {
    kind: 'usage',
    fix: 'Run `bentoctl restore -f <config>` to bring it back at its recorded size and revision (then apply as usual), or `bentoctl destroy -f <config>` to delete it.',
  },
  DEPLOYMENT_NOT_TERMINATED: {
    kind: 'usage',
    fix: 'Nothing to restore: `bentoctl apply -f <config>` deploys changes, `bentoctl status -f <config>` shows its state.',
  },
  IMAGE_NOT_PULLABLE: {
    kind: 'usage',
    fix: "Push the image to a registry the target pulls from (leave image.repository out for the deployment's own), or give the target pull credentials (spec.image_pull_secret on aws-ecs, aws-ec2-gpu and azure-aks).",
  },
  IMAGE_REFERENCE_INVALID: {
    kind: 'usage',
    fix: 'Pass repository:tag, repository@sha256:<64 hex> or both, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:1a2b3c4d; in CI, check the step that produced the value.',
  },
  SAVED_PLAN_INVALID: {
    kind: 'usage',
    fix: 'Point --plan at the folder `bentoctl plan --out <dir>` wrote (in CI, the artifact the plan job uploaded), complete.',
  },
  SAVED_PLAN_MISMATCH: {
    kind: 'usage',
    fix: 'Apply the plan with the config it was made from (-f), or make a new plan for this deployment with `bentoctl plan --out <dir>`.',
  },
  SAVED_PLAN_STALE: {
    kind: 'external',
    fix: 'Nothing was applied. Make a new plan (`bentoctl plan --out <dir>`; in CI, rerun the plan job), have it reviewed, and apply that one.',
  },
  ENDPOINT_NOT_READY: {
    kind: 'external',
    fix: 'Check the service logs in the cloud console; raise --wait-timeout if it is still starting, or pass --no-wait.',
  },
  BUILD_RECORD_INVALID: {
    kind: 'usage',
    fix: 'Run `bentoctl build --push` again to rewrite it, or pass --image.',
  },
  SECRET_REFERENCE_INVALID: {
    kind: 'usage',
    fix: "Write the reference in the form the message names for the target's cloud: a Secrets Manager or SSM ARN (AWS), a Secret Manager secret (Google Cloud), a Key Vault secret URL or id (Azure).",
  },
  BENTO_YAML_SYNTAX: { kind: 'usage', fix: 'Fix the YAML of bento.yaml at the line shown.' },
  BENTO_INVALID: {
    kind: 'usage',
    fix: 'Fix each bento.yaml field listed; docs/runtime.md describes the bento format.',
  },
  SERVE_FAILED: {
    kind: 'usage',
    fix: 'Read the cause above (bad setting, model failing to load) and rerun.',
  },
  PORT_IN_USE: {
    kind: 'usage',
    fix: 'Stop what listens there, or choose another port: `bentoctl serve <bento> --port <port>` (0 picks a free one).',
  },
  REVISION_NOT_SERVING: {
    kind: 'external',
    fix: "Look at the new revision's events and logs (ECS: the service's events in `aws ecs describe-services`; Cloud Run: `gcloud run revisions list`; AKS: `kubectl rollout status`); `bentoctl status -f <config>` shows what answers now. If the rollout is only slow, raise --wait-timeout.",
  },
  RELEASE_HISTORY_INVALID: {
    kind: 'external',
    fix: 'The `bentoctl_releases` output in the Terraform state is not a list bentoctl wrote: check what else writes this state (a shared key, a hand edit), or remove the output with `terraform state rm terraform_data.bentoctl_release_history` to start a new history.',
  },
  RELEASE_NOT_FOUND: {
    kind: 'usage',
    fix: 'Run `bentoctl releases -f <config>` for the release numbers, then pass one with --to.',
  },
  RELEASE_NOT_IN_PROGRESS: {
    kind: 'usage',
    fix: '`bentoctl release status -f <config>` shows the phase; promote and abort act on a canary or blue-green candidate that an apply started.',
  },
  RELEASE_CANDIDATE_CHANGED: {
    kind: 'usage',
    fix: 'Apply the change first (`bentoctl apply` makes it the candidate), or promote from the config and image that made the candidate.',
  },
  RELEASE_BAKING: {
    kind: 'usage',
    fix: 'Wait until the bake time is over (`bentoctl release status` shows what is left), or pass --skip-bake to promote now.',
  },
  RELEASE_MOVED_BY_PLATFORM: {
    kind: 'usage',
    fix: 'Nothing to move: on aws-ecs, ECS shifts the traffic and its alarms roll back; `bentoctl apply` waits for it. Use `bentoctl rollback` to go back after it finished.',
  },
  RELEASE_CANDIDATE_UNHEALTHY: {
    kind: 'external',
    fix: 'All traffic is back on the stable revision. The candidate keeps its tag, so its own URL still answers: look at it and at its logs (`bentoctl logs -f <config> --revision <candidate>`), fix the cause and apply a new revision.',
  },
  RELEASE_BAKE_TOO_LONG: {
    kind: 'usage',
    fix: 'Raise --max-bake-wait (and the CI job timeout with it), or run `bentoctl release promote --after-bake` from a later job, when less of the bake is left.',
  },
  ENGINE_UNREACHABLE: {
    kind: 'external',
    fix: 'Start Docker (or another Docker-API engine) or point DOCKER_HOST at it, e.g. unix:///var/run/docker.sock or tcp://host:2376.',
  },
  BASE_IMAGE_UNAVAILABLE: {
    kind: 'external',
    fix: 'Pull the base image (docker pull <image>) or log in to its registry, or choose one the engine has with --base-image / image.base_image.',
  },
  IMAGE_BUILD_FAILED: {
    kind: 'external',
    fix: 'Read the failing step and its output above; a custom base image must provide node 22 or 24 on PATH.',
  },
  IMAGE_PUSH_FAILED: {
    kind: 'external',
    fix: 'Check that the repository exists and your credentials may push to it (docker login, cloud credentials), then rerun with --push.',
  },
  REGISTRY_AUTH_FAILED: {
    kind: 'external',
    fix: "Log in to the registry's cloud (aws sso login / gcloud auth application-default login / az login) or add credentials to ~/.docker/config.json.",
  },
  BENTO_ARCHIVE_UNSUPPORTED: {
    kind: 'usage',
    fix: 'Unpack the archive into a folder and point `bento:` at it, or use name:version from `bentoctl bento list`.',
  },
  IMAGE_NOT_BUILT: {
    kind: 'usage',
    fix: 'Run `bentoctl build -f <config>` first, or pass --image.',
  },
  CONTAINER_NOT_READY: {
    kind: 'external',
    fix: 'Read the container output above (model load errors, port in use); raise --wait-timeout if it is still starting.',
  },
  REGISTRY_REPOSITORY_FAILED: {
    kind: 'external',
    fix: 'Check the permissions named in the message, or create the repository (or ACR registry) yourself and set image.repository.',
  },
  REGISTRY_REQUEST_FAILED: {
    kind: 'external',
    fix: 'Check that the registry is reachable and the image exists there, then rerun.',
  },
  REGISTRY_ACCESS_DENIED: {
    kind: 'external',
    fix: 'Give the credentials of that registry pull rights on the source repository and push rights on the destination, then rerun.',
  },
  IMAGE_DIGEST_MISMATCH: {
    kind: 'external',
    fix: 'The registry changed the image (a registry that converts manifests cannot keep digests); promote to an OCI-conformant registry or repository.',
  },
  AZURE_SUBSCRIPTION_UNSET: {
    kind: 'usage',
    fix: 'Set spec.subscription_id in the config, or export ARM_SUBSCRIPTION_ID (or AZURE_SUBSCRIPTION_ID).',
  },
  FILE_SYSTEM_ERROR: {
    kind: 'external',
    fix: 'Check that the path exists as named, that you may write there, and that the disk has space; then rerun.',
  },
  INTERRUPTED: {
    kind: 'interrupted',
    fix: 'Rerun the command when you want to go on; `bentoctl plan` shows what is left to change.',
  },
  CANCELLED: {
    kind: 'interrupted',
    fix: 'Rerun the command when you want to go on.',
  },
  CLOUD_CREDENTIALS_MISSING: {
    kind: 'external',
    fix: "Sign in to the deployment's cloud (aws sso login / gcloud auth application-default login / az login), or set its credential variables, then rerun.",
  },
  CLOUD_ACCESS_DENIED: {
    kind: 'external',
    fix: 'Grant the credentials the permission the message names (an IAM action, a Google role, an Azure role or a Kubernetes RBAC verb), then rerun.',
  },
  CLOUD_RESOURCE_NOT_FOUND: {
    kind: 'external',
    fix: 'Check the region (or project, subscription) in the config; if the deployment was never applied, run `bentoctl apply -f <config>` first.',
  },
  CLOUD_REQUEST_FAILED: {
    kind: 'external',
    fix: "Check network access to the cloud's API and the error it gave, then rerun.",
  },
  INTERNAL: {
    kind: 'internal',
    fix: 'This is a bug in bentoctl: rerun with DEBUG=* and report the output.',
  },
} as const satisfies Record<string, { kind: ErrorKind; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The commands that refuse a terminated deployment (DEPLOYMENT_TERMINATED). */
export type TerminatedRefusingCommand =
  'plan' | 'apply' | 'rollback' | 'release promote' | 'release abort';

/** Which command refused which deployment, and the config it was given (for the hint). */
export interface TerminatedRefusal {
  readonly command: TerminatedRefusingCommand;
  readonly deployment: string;
  /** The config file as given on the command line. */
  readonly configFile: string;
}

const TERMINATED_REASONS: Readonly<Record<TerminatedRefusingCommand, string>> = {
  plan: 'its plan would bring it back unasked when applied',
  apply: 'a plain apply would bring it back unasked',
  rollback: 'a rollback would bring it back unasked',
  'release promote': 'it serves no traffic to move',
  'release abort': 'it serves no traffic to move',
};

function raise(
  code: ErrorCode,
  message: string,
  extra: { hint?: string; diagnostics?: readonly Diagnostic[]; cause?: unknown } = {},
): BentoctlError {
  const entry = ERROR_CATALOGUE[code];
  return new BentoctlError({
    code,
    kind: entry.kind,
    message,
    hint: extra.hint ?? entry.fix,
    diagnostics: extra.diagnostics,
    cause: extra.cause,
  });
}

export const errors = {
  configNotFound: (file: string) =>
    raise('CONFIG_NOT_FOUND', `Deployment config ${file} does not exist.`),
  configNotAFile: (file: string) =>
    raise('CONFIG_NOT_A_FILE', `Deployment config ${file} is a directory, not a YAML file.`, {
      hint: `Did you mean ${file}/deployment_config.yaml? Point -f at the file itself.`,
    }),
  configUnreadable: (file: string, cause: unknown) =>
    raise('CONFIG_UNREADABLE', `Deployment config ${file} cannot be read: ${describe(cause)}.`, {
      cause,
    }),
  configEmpty: (file: string, diagnostic: Diagnostic) =>
    raise('CONFIG_EMPTY', `Deployment config ${file} is empty.`, { diagnostics: [diagnostic] }),
  configSyntax: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise('CONFIG_YAML_SYNTAX', `Deployment config ${file} is not valid YAML.`, { diagnostics }),
  configInvalid: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise(
      'CONFIG_INVALID',
      `Deployment config ${file} has ${diagnostics.length === 1 ? 'an invalid field' : `${diagnostics.length} invalid fields`}.`,
      { diagnostics },
    ),
  envUnset: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise(
      'CONFIG_ENV_UNSET',
      `Deployment config ${file} refers to environment variables that are not set.`,
      { diagnostics },
    ),
  bentoNotFound: (file: string, diagnostic: Diagnostic) =>
    raise('BENTO_NOT_FOUND', `The bento named in ${file} cannot be found.`, {
      diagnostics: [diagnostic],
    }),
  bentoDirNotFound: (dir: string) =>
    raise('BENTO_DIR_NOT_FOUND', `There is no folder at ${dir}, so there is no bento to read.`),
  targetUnknown: (name: string, suggestion: string | undefined) =>
    raise('TARGET_UNKNOWN', `There is no target named "${name}".`, {
      hint: suggestion
        ? `Did you mean "${suggestion}"? Run \`bentoctl targets list\` for all of them.`
        : undefined,
    }),
  outputExists: (file: string) =>
    raise('OUTPUT_EXISTS', `${file} already exists; bentoctl will not overwrite it.`),
  flagInvalid: (flag: string, value: string, expected: string) =>
    raise('FLAG_INVALID', `--${flag} ${JSON.stringify(value)}: expected ${expected}.`),
  /** A flag value oclif refused (not a number, not one of the options, no value). */
  flagValueInvalid: (command: string, detail: string, hint: string) =>
    raise('FLAG_INVALID', `bentoctl ${command}: ${detail}.`, { hint }),
  flagUnknown: (command: string, flags: readonly string[], hint: string) =>
    raise(
      'FLAG_UNKNOWN',
      `bentoctl ${command} has no flag ${flags.join(', ')}${flags.length === 1 ? '' : ' (none of them exist)'}.`,
      { hint },
    ),
  flagMissing: (command: string, detail: string, hint: string) =>
    raise('FLAG_MISSING', `bentoctl ${command}: ${detail}.`, { hint }),
  flagConflict: (command: string, detail: string, hint: string) =>
    raise('FLAG_CONFLICT', `bentoctl ${command}: ${detail}.`, { hint }),
  argumentUnexpected: (command: string, args: readonly string[], hint: string) =>
    raise(
      'ARGUMENT_UNEXPECTED',
      `bentoctl ${command} takes no argument ${args.map((arg) => JSON.stringify(arg)).join(' ')} here.`,
      { hint },
    ),
  argumentMissing: (command: string, names: readonly string[], hint: string) =>
    raise('ARGUMENT_MISSING', `bentoctl ${command} needs the argument ${names.join(' ')}.`, {
      hint,
    }),
  argumentInvalid: (command: string, detail: string, hint: string) =>
    raise('ARGUMENT_INVALID', `bentoctl ${command}: ${detail}.`, { hint }),
  commandUnknown: (given: string, hint?: string) =>
    raise('COMMAND_UNKNOWN', `bentoctl has no command "${given}".`, { hint }),
  specFieldUnknown: (target: string, key: string, suggestion: string | undefined) =>
    raise('SPEC_FIELD_UNKNOWN', `${target} has no spec field "${key}".`, {
      hint: `${suggestion === undefined ? '' : `Did you mean ${suggestion}? `}Run \`bentoctl targets show ${target}\` for the fields.`,
    }),
  initInputMissing: (missing: readonly string[]) =>
    raise(
      'INIT_INPUT_MISSING',
      `bentoctl init cannot ask (no terminal, or --yes) and has no value for: ${missing.map((flag) => `--${flag}`).join(', ')}.`,
    ),
  terraformNotFound: (where: string) =>
    raise('TERRAFORM_NOT_FOUND', `terraform was not found (${where}).`),
  terraformTooOld: (binary: string, version: string, minimum: string, reason?: string) =>
    raise(
      'TERRAFORM_TOO_OLD',
      `${binary} is Terraform ${version}; ${reason ?? 'bentoctl'} needs ${minimum} or newer.`,
    ),
  terraformFailed: (step: string, detail: string, stderrTail: string) =>
    raise(
      'TERRAFORM_FAILED',
      `terraform ${step} failed (${detail}).${stderrTail === '' ? '' : `\n${stderrTail}`}`,
    ),
  terraformOutputInvalid: (step: string, problem: string) =>
    raise(
      'TERRAFORM_OUTPUT_INVALID',
      `terraform ${step} printed output bentoctl cannot read: ${problem}.`,
    ),
  deploymentLocked: (name: string, lockFile: string, holder: string) =>
    raise('DEPLOYMENT_LOCKED', `Deployment ${name} is busy: ${holder} holds ${lockFile}.`),
  confirmationRequired: (command: string) =>
    raise(
      'CONFIRMATION_REQUIRED',
      `bentoctl ${command} changes infrastructure and cannot ask for confirmation without a terminal.`,
    ),
  confirmationDeclined: (command: string) =>
    raise('CONFIRMATION_DECLINED', `bentoctl ${command} was not confirmed; nothing was changed.`),
  stackNotGenerated: (name: string, stackDir: string) =>
    raise('STACK_NOT_GENERATED', `Deployment ${name} has no generated stack in ${stackDir}.`),
  imageNotRecorded: (name: string, recordFile: string) =>
    raise(
      'IMAGE_NOT_RECORDED',
      `Deployment ${name} has no pushed image recorded (${recordFile} is missing or has no digest).`,
    ),
  deploymentDirElsewhere: (name: string, found: string, expected: string) =>
    raise(
      'DEPLOYMENT_DIR_ELSEWHERE',
      `Deployment ${name} has records in ${found} (under the current directory), but bentoctl keeps them beside the config, in ${expected}, which does not exist yet.`,
      {
        hint: `Move it there (mkdir -p ${dirname(expected)} && mv ${found} ${dirname(expected)}/), or set BENTOCTL_STATE_DIR=${dirname(found)} to keep using the current directory's.`,
      },
    ),
  deploymentTerminated: (refused: TerminatedRefusal, since: string, by: string) =>
    raise(
      'DEPLOYMENT_TERMINATED',
      `\`bentoctl ${refused.command}\` refused: deployment ${refused.deployment} is terminated (since ${since}, by ${by}; its Terraform state says so), and ${TERMINATED_REASONS[refused.command]}, so nothing was planned.`,
      {
        hint: `Run \`bentoctl restore -f ${refused.configFile}\` to bring it back at its recorded size and revision (then \`bentoctl ${refused.command}\` as usual), or \`bentoctl destroy -f ${refused.configFile}\` to delete it.`,
      },
    ),
  deploymentNotTerminated: (name: string) =>
    raise(
      'DEPLOYMENT_NOT_TERMINATED',
      `Deployment ${name} is not terminated (its Terraform state records it running), so there is nothing to restore.`,
    ),
  imageNotPullable: (image: string, target: string, problem: string) =>
    raise('IMAGE_NOT_PULLABLE', `${target} cannot run ${image}: ${problem}.`),
  imageReferenceInvalid: (flag: string, value: string, problem: string) =>
    raise(
      'IMAGE_REFERENCE_INVALID',
      `--${flag} ${JSON.stringify(value)} is not an image reference: ${problem}.`,
    ),
  savedPlanInvalid: (dir: string, problem: string) =>
    raise('SAVED_PLAN_INVALID', `${dir} is not a plan saved by bentoctl plan --out: ${problem}.`),
  savedPlanMismatch: (dir: string, planned: string, given: string) =>
    raise(
      'SAVED_PLAN_MISMATCH',
      `The plan in ${dir} is for ${planned}, and the config given is for ${given}.`,
    ),
  savedPlanStale: (dir: string) =>
    raise(
      'SAVED_PLAN_STALE',
      `The plan in ${dir} is stale: the deployment's state changed after it was made (another apply ran), so it cannot be applied.`,
    ),
  endpointNotReady: (url: string, seconds: number, last: string) =>
    raise('ENDPOINT_NOT_READY', `${url} did not answer ready within ${seconds} s (last: ${last}).`),
  revisionNotServing: (url: string, seconds: number, served: string, expected: string) =>
    raise(
      'REVISION_NOT_SERVING',
      `${url} still answers from ${served} after ${seconds} s, not from the one just applied: ${expected}. The platform may have rolled the deployment back (the ECS deployment circuit breaker, a Cloud Run revision that failed to start, a Kubernetes rollout that never became ready), or the rollout is still running.`,
    ),
  releaseHistoryInvalid: (output: string, problem: string) =>
    raise(
      'RELEASE_HISTORY_INVALID',
      `The release history in the Terraform state (output ${output}) is not valid: ${problem}.`,
    ),
  releaseNotFound: (deployment: string, problem: string) =>
    raise('RELEASE_NOT_FOUND', `Cannot roll ${deployment} back: ${problem}.`),
  releaseNotInProgress: (deployment: string, action: string, phase: string) =>
    raise(
      'RELEASE_NOT_IN_PROGRESS',
      `Cannot ${action} the release of ${deployment}: no candidate takes part of its traffic (the release is ${phase}).`,
    ),
  releaseCandidateChanged: (
    deployment: string,
    action: string,
    candidate: string,
    generated: string,
    which = 'the candidate',
  ) =>
    raise(
      'RELEASE_CANDIDATE_CHANGED',
      `Cannot ${action} the release of ${deployment}: ${which} is revision ${candidate}, but the config and image now make revision ${generated}.`,
    ),
  releaseCandidateReplaced: (
    deployment: string,
    action: string,
    checked: string,
    found: string | null,
  ) =>
    raise(
      'RELEASE_CANDIDATE_CHANGED',
      `Cannot ${action} the release of ${deployment}: revision ${checked} was the candidate bentoctl checked, but the state now names ${found === null ? 'no candidate' : `revision ${found}`} (an apply or a release command ran meanwhile), so nothing was planned.`,
      {
        hint: 'Run `bentoctl release promote --after-bake` again: it waits for and checks the candidate the state names now.',
      },
    ),
  releaseBaking: (deployment: string, percent: number, minutesLeft: number) =>
    raise(
      'RELEASE_BAKING',
      `The canary of ${deployment} (${percent} % of the traffic) bakes ${minutesLeft} more min before it may take all of it.`,
    ),
  releaseCandidateUnhealthy: (
    deployment: string,
    candidate: string,
    problems: readonly string[],
    stable: string,
  ) =>
    raise(
      'RELEASE_CANDIDATE_UNHEALTHY',
      `The candidate of ${deployment} (revision ${candidate}) was not healthy after its bake: ${problems.join('; ')}. It was not promoted: all traffic went back to revision ${stable}.`,
    ),
  releaseBakeTooLong: (deployment: string, minutesLeft: number, maxWaitMinutes: number) =>
    raise(
      'RELEASE_BAKE_TOO_LONG',
      `The canary of ${deployment} bakes ${minutesLeft} more min, longer than --max-bake-wait allows (${maxWaitMinutes} min), so nothing was waited for or applied.`,
    ),
  releaseMovedByPlatform: (deployment: string, target: string, strategy: string) =>
    raise(
      'RELEASE_MOVED_BY_PLATFORM',
      strategy === 'rolling'
        ? `${deployment} releases rolling (release.strategy), so no candidate holds part of its traffic for bentoctl to move.`
        : `On ${target} the platform moves the traffic of a ${strategy} release of ${deployment} itself (bentoctl apply waited while it did), so bentoctl has none to move.`,
    ),
  buildRecordInvalid: (file: string, problem: string) =>
    raise('BUILD_RECORD_INVALID', `The build record ${file} is not valid: ${problem}.`),
  secretReferenceInvalid: (name: string, value: string, expected: string) =>
    raise(
      'SECRET_REFERENCE_INVALID',
      `Secret ${name} refers to ${JSON.stringify(value)}: expected ${expected}.`,
    ),
  bentoYamlSyntax: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise('BENTO_YAML_SYNTAX', `Bento file ${file} is not valid YAML.`, { diagnostics }),
  bentoInvalid: (file: string, diagnostics: readonly Diagnostic[]) =>
    raise(
      'BENTO_INVALID',
      `Bento ${file} has ${diagnostics.length === 1 ? 'a problem' : `${diagnostics.length} problems`}.`,
      { diagnostics },
    ),
  serveFailed: (what: string, cause: unknown) =>
    isErrnoCode(cause, 'EADDRINUSE')
      ? raise('PORT_IN_USE', `The runtime could not start: ${what}: the port is already in use.`, {
          cause,
        })
      : raise('SERVE_FAILED', `The runtime could not start: ${what}: ${describe(cause)}.`, {
          cause,
        }),
  engineUnreachable: (where: string, cause: unknown) =>
    raise('ENGINE_UNREACHABLE', `No Docker engine answered at ${where}: ${describe(cause)}.`, {
      cause,
    }),
  baseImageUnavailable: (image: string, detail: string) =>
    raise(
      'BASE_IMAGE_UNAVAILABLE',
      `The base image ${image} is not in the engine and could not be pulled: ${detail}.`,
    ),
  imageBuildFailed: (image: string, step: string, detail: string, output: readonly string[]) =>
    raise(
      'IMAGE_BUILD_FAILED',
      `Building ${image} failed at ${step}: ${detail}.${output.length === 0 ? '' : `\n--- output ---\n${output.join('\n')}`}`,
    ),
  imagePushFailed: (reference: string, detail: string) =>
    raise('IMAGE_PUSH_FAILED', `Pushing ${reference} failed: ${detail}.`),
  registryRepositoryFailed: (repository: string, detail: string, hint?: string) =>
    raise('REGISTRY_REPOSITORY_FAILED', `Repository ${repository}: ${detail}.`, { hint }),
  registryRequestFailed: (step: string, detail: string, hint?: string) =>
    raise('REGISTRY_REQUEST_FAILED', `${step}: ${detail}.`, { hint }),
  registryAccessDenied: (step: string, detail: string, hint?: string) =>
    raise('REGISTRY_ACCESS_DENIED', `${step}: ${detail}.`, { hint }),
  imageDigestMismatch: (where: string, expected: string, served: string) =>
    raise(
      'IMAGE_DIGEST_MISMATCH',
      `${where} serves ${served} where the copied image is ${expected}: the copy is not the same image.`,
    ),
  registryAuthFailed: (registry: string, detail: string, hint?: string) =>
    raise('REGISTRY_AUTH_FAILED', `No credentials for ${registry}: ${detail}.`, { hint }),
  bentoArchiveUnsupported: (path: string) =>
    raise(
      'BENTO_ARCHIVE_UNSUPPORTED',
      `${path} is a bento archive; images are built from a bento folder or a stored name:version.`,
    ),
  imageNotBuilt: (image: string) =>
    raise('IMAGE_NOT_BUILT', `The image ${image} is not in the local engine.`),
  containerNotReady: (image: string, detail: string, output: string) =>
    raise(
      'CONTAINER_NOT_READY',
      `The container of ${image} did not become ready: ${detail}.${output === '' ? '' : `\n--- container output ---\n${output}`}`,
    ),
  azureSubscriptionUnset: (needed: string, envVars: readonly string[]) =>
    raise(
      'AZURE_SUBSCRIPTION_UNSET',
      `The Azure subscription is unknown, and ${needed} needs it: spec.subscription_id is not set and neither is ${envVars.join(' nor ')}.`,
      {
        hint: `Set spec.subscription_id in the config, or export ${envVars.join(' or ')} (\`az account show --query id -o tsv\` prints the current one).`,
      },
    ),
  /** The operating system refused a file operation (permissions, a full disk, a file where a folder must be). */
  fileSystem: (cause: NodeJS.ErrnoException) =>
    raise(
      'FILE_SYSTEM_ERROR',
      `Could not ${cause.syscall ?? 'access'} ${cause.path ?? 'a file'}: ${cause.code ?? 'error'} (${systemReason(cause)}).`,
      { cause },
    ),
  interrupted: (parts: Omit<InterruptedParts, 'hint'> & { readonly hint?: string }) =>
    new InterruptedError({ ...parts, hint: parts.hint ?? ERROR_CATALOGUE.INTERRUPTED.fix }),
  cancelled: () => raise('CANCELLED', 'Cancelled at the prompt; nothing was changed.'),
  cloudCredentialsMissing: (api: string, detail: string, hint?: string) =>
    raise('CLOUD_CREDENTIALS_MISSING', `No credentials to call ${api}: ${detail}.`, { hint }),
  cloudAccessDenied: (api: string, resource: string, permission: string, detail: string) =>
    raise('CLOUD_ACCESS_DENIED', `${api} refused access to ${resource}: ${detail}.`, {
      hint: `The credentials need ${permission}. Grant it, then rerun.`,
    }),
  cloudResourceNotFound: (api: string, resource: string, detail: string) =>
    raise('CLOUD_RESOURCE_NOT_FOUND', `${api} has no ${resource}: ${detail}.`),
  cloudRequestFailed: (api: string, detail: string, hint?: string) =>
    raise('CLOUD_REQUEST_FAILED', `${api} failed: ${detail}.`, { hint }),
  internal: (cause: unknown) =>
    raise('INTERNAL', `Unexpected failure: ${describe(cause)}.`, { cause }),
};

/** `permission denied` out of `EACCES: permission denied, open '/x'`. */
function systemReason(cause: NodeJS.ErrnoException): string {
  const match = /^[A-Z]+: ([^,]+)/.exec(cause.message);
  return match?.[1] ?? cause.message;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
