/**
 * The boot script (cloud-init user data) of a GPU instance: log in to ECR, pull the image by
 * digest, read the secrets, and run the container with every GPU. Docker's restart policy
 * brings it back after a crash or a reboot; the script itself runs once, on first boot.
 *
 * The script lands in a Terraform string, where `${` and `%{` start templates: it uses neither
 * (`$NAME`, `$(...)` and `$((...))` only), and user values arrive already escaped.
 */
import type { AwsSecret } from '../common/aws-secrets.js';

export const CONTAINER_NAME = 'bento';
/** Time the runtime gets to drain queued requests on `docker stop` (instance refresh, reboot). */
const STOP_TIMEOUT_SECONDS = 120;
/** Scratch space for the read-only container. */
const TMP_SIZE = '1g';

export interface UserDataProps {
  readonly deployment: string;
  readonly region: string;
  /** `repository@sha256:...` (or `:tag` when no digest was recorded). */
  readonly image: string;
  /** The ECR registry to log in to (its host and region); absent for other registries. */
  readonly ecr?: { readonly registry: string; readonly region: string } | undefined;
  /** Another registry and the Secrets Manager secret with its `username` and `password`. */
  readonly registryLogin?: { readonly registry: string; readonly secretArn: string } | undefined;
  readonly port: number;
  /** The runtime's gRPC port, published too when given. @default - HTTP only */
  readonly grpcPort?: number | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly AwsSecret[];
  readonly logGroupName: string;
}

export function userDataScript(props: UserDataProps): string {
  const lines = [
    '#!/bin/bash',
    `# bentoctl: runs ${props.deployment} on this instance (generated, do not edit).`,
    'set -euo pipefail',
    `export AWS_DEFAULT_REGION=${quote(props.region)}`,
    '',
    '# NAT routes, the GPU driver and ECR may need a moment after boot.',
    'retry() { local n=0; until "$@"; do n=$((n + 1)); [ "$n" -ge 10 ] && return 1; sleep $((n * 6)); done; }',
    'systemctl enable --now docker',
    'retry nvidia-smi > /dev/null',
  ];
  if (props.ecr !== undefined) {
    const login = `aws ecr get-login-password --region ${props.ecr.region} | docker login --username AWS --password-stdin ${props.ecr.registry}`;
    lines.push(`retry sh -c ${quote(login)}`);
  }
  if (props.registryLogin !== undefined) {
    const { registry, secretArn } = props.registryLogin;
    const field = (name: string) =>
      `python3 -c ${quote(`import json,sys; sys.stdout.write(json.load(sys.stdin)[${JSON.stringify(name)}])`)}`;
    lines.push(
      `# ${registry} credentials from Secrets Manager, kept only for the pull.`,
      'registry_login() {',
      '  local credentials',
      `  credentials="$(aws secretsmanager get-secret-value --secret-id ${quote(secretArn)} --query SecretString --output text)"`,
      `  printf '%s' "$credentials" | ${field('password')} | docker login --username "$(printf '%s' "$credentials" | ${field('username')})" --password-stdin ${quote(registry)}`,
      '}',
      'retry registry_login',
    );
  }
  lines.push(`retry docker pull ${quote(props.image)}`);
  if (props.registryLogin !== undefined) {
    lines.push(`docker logout ${quote(props.registryLogin.registry)} > /dev/null`);
  }
  if (props.secrets.length > 0) {
    lines.push('', '# Secrets go to the container through the environment, never to disk.');
    for (const secret of props.secrets) {
      lines.push(`${secret.name}="$(retry ${fetchSecret(secret)})"`, `export ${secret.name}`);
    }
  }
  const runArguments = [
    'docker run --detach',
    `--name ${CONTAINER_NAME}`,
    '--gpus all',
    '--restart unless-stopped',
    `--publish ${props.port}:${props.port}`,
    ...(props.grpcPort === undefined ? [] : [`--publish ${props.grpcPort}:${props.grpcPort}`]),
    '--read-only',
    // The runtime needs no Linux capability (it listens above 1024) and never gains one.
    '--cap-drop ALL',
    '--security-opt no-new-privileges',
    `--tmpfs /tmp:rw,nosuid,nodev,size=${TMP_SIZE}`,
    `--stop-timeout ${STOP_TIMEOUT_SECONDS}`,
    '--log-driver awslogs',
    `--log-opt awslogs-group=${quote(props.logGroupName)}`,
    `--log-opt awslogs-region=${quote(props.region)}`,
    '--log-opt mode=non-blocking',
    ...Object.entries(props.environment).map(
      ([name, value]) => `--env ${quote(`${name}=${value}`)}`,
    ),
    ...props.secrets.map((secret) => `--env ${secret.name}`),
    quote(props.image),
  ];
  lines.push(
    '',
    `docker rm --force ${CONTAINER_NAME} > /dev/null 2>&1 || true`,
    runArguments.join(' \\\n  '),
    '',
  );
  return lines.join('\n');
}

/** The AWS CLI call that prints one secret's value. */
function fetchSecret(secret: AwsSecret): string {
  if (secret.service === 'ssm') {
    return `aws ssm get-parameter --with-decryption --name ${quote(secret.secretArn)} --query Parameter.Value --output text`;
  }
  const version = [
    ...(secret.versionStage !== undefined ? [`--version-stage ${quote(secret.versionStage)}`] : []),
    ...(secret.versionId !== undefined ? [`--version-id ${quote(secret.versionId)}`] : []),
  ];
  const read = [
    'aws secretsmanager get-secret-value',
    `--secret-id ${quote(secret.secretArn)}`,
    ...version,
    '--query SecretString --output text',
  ].join(' ');
  if (secret.jsonKey === undefined) return read;
  // A key inside a JSON secret, as ECS's `:json-key:` does; python3 ships with the DLAMI.
  const program = `import json,sys; sys.stdout.write(str(json.load(sys.stdin)[${JSON.stringify(secret.jsonKey)}]))`;
  return `sh -c ${quote(`${read} | python3 -c ${quote(program)}`)}`;
}

/** Single-quotes a value for bash: nothing inside is expanded. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
