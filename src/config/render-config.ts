/**
 * Writes a new deployment config as commented YAML: the chosen values first, then every other
 * field commented out with its default, so the file documents itself.
 */
import { stringify } from 'yaml';
import { describeSpec } from '../targets/describe-spec.js';
import type { TargetDefinition } from '../targets/target.js';
import { DEFAULT_GRPC_PORT } from './runtime-schema.js';

export interface NewConfig {
  readonly name: string;
  /** As it should be written: relative to the config file, or name:version. */
  readonly bento: string;
  readonly target: TargetDefinition;
  /** Spec values chosen by the user, in the order to write them. */
  readonly spec: Readonly<Record<string, unknown>>;
}

export function renderConfig(config: NewConfig): string {
  const { target } = config;
  const fields = describeSpec(target).filter((field) => !field.name.includes('.'));
  const chosen = fields.filter((field) => field.name in config.spec);
  const others = fields.filter((field) => !(field.name in config.spec));
  const lines = [
    `# bentoctl deployment config: ${config.name} on ${target.name}.`,
    `# Check it with \`bentoctl validate -f <this file>\`; \`bentoctl targets show ${target.name}\``,
    '# documents every spec field. Strings may use ${VAR} or ${VAR:-default} from the environment.',
    'api_version: v1',
    `name: ${yamlValue(config.name)} # DNS-safe: becomes resource names and the Terraform stack name`,
    `bento: ${yamlValue(config.bento)} # a bento folder, a bento archive, or name:version`,
    `target: ${target.name}`,
    '',
    `# ${target.summary}`,
    'spec:',
  ];
  for (const field of chosen) {
    lines.push(
      `  # ${field.description}`,
      `  ${field.name}: ${yamlValue(config.spec[field.name])}`,
    );
  }
  if (others.length > 0) {
    lines.push('  # Other fields, shown with their defaults:');
    for (const field of others) {
      const value =
        field.default !== undefined
          ? ` ${yamlValue(field.default)}`
          : field.defaultNote !== undefined
            ? ` (${field.defaultNote})`
            : '';
      lines.push(`  # ${field.name}:${value} # ${field.description}`);
    }
  }
  lines.push(
    '',
    '# The inference server, the same on every target (defaults shown):',
    '# runtime:',
    '#   port: 3000',
    '#   workers: 1',
    '#   device: cpu # or gpu',
    '#   batching: { enabled: true, max_batch_size: 32, max_latency_ms: 10 }',
    '#   auth: { mode: none } # or { mode: bearer, secret: <cloud secret holding the token> }',
    // Only where the target can carry the port: elsewhere validate refuses it.
    ...(target.grpc.served
      ? [
          `#   grpc: { enabled: false, port: ${DEFAULT_GRPC_PORT} } # gRPC too; \`bentoctl targets show ${target.name}\` says how`,
        ]
      : []),
    '',
    '# Terraform state is local by default; share it with your team through a remote backend:',
    '# state: { backend: s3, bucket: my-terraform-state, region: us-east-1 }',
    '',
    '# Extra environment variables for the container:',
    'env: {}',
    '',
  );
  return lines.join('\n');
}

/** A value as YAML writes it on one line (strings quoted only when YAML needs it). */
export function yamlValue(value: unknown): string {
  if (typeof value === 'string') return stringify(value).trimEnd();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
