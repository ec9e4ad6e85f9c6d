/**
 * A stack's `TerraformOutput`s come from its target's definition, the list `targets show`
 * prints, so the two cannot drift: a synthesizer hands in the values, this declares them.
 */
import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { ReleaseStrategy } from '../config/release-schema.js';
import type { TargetOutput } from './target.js';

/** What of a deployment's config decides which of its target's outputs its stack has. */
export interface OutputsConfig {
  readonly runtime: { readonly grpc: { readonly enabled: boolean } };
  readonly release: { readonly strategy: ReleaseStrategy };
}

/**
 * A stack's value for one output: the expression, or the expression with a description more
 * precise for this config than the definition's (the port the stack chose for it).
 */
export type OutputValue = string | { readonly value: string; readonly description: string };

/** The outputs of `declared` this deployment has: gRPC's only when it is on, the candidate's only under canary or blue-green. */
export function outputsOf(
  declared: readonly TargetOutput[],
  config: OutputsConfig,
): TargetOutput[] {
  return declared.filter((output) => {
    switch (output.when) {
      case undefined:
        return true;
      case 'grpc':
        return config.runtime.grpc.enabled;
      case 'candidate':
        return config.release.strategy !== 'rolling';
    }
  });
}

/** Declares `declared` with `values`; throws (a bug) when the values name other outputs. */
export function declareOutputs(
  stack: TerraformStack,
  declared: readonly TargetOutput[],
  values: Readonly<Record<string, OutputValue>>,
): void {
  const missing = declared.filter((output) => !(output.name in values)).map((o) => o.name);
  const extra = Object.keys(values).filter((key) => !declared.some((o) => o.name === key));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `outputs differ from the target definition: missing [${missing.join(', ')}], undeclared [${extra.join(', ')}]`,
    );
  }
  for (const output of declared) {
    const given = values[output.name] as OutputValue;
    new TerraformOutput(
      stack,
      output.name,
      typeof given === 'string'
        ? { value: given, description: output.description }
        : { value: given.value, description: given.description },
    );
  }
}
