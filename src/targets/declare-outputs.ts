/**
 * A stack's `TerraformOutput`s come from its target's definition, the list `targets show` and
 * `status` read, so the two cannot drift: a synthesizer hands in the values, this declares them.
 */
import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { TargetOutput } from './target.js';

/** The outputs of `declared` this deployment has: those for gRPC only when it is on. */
export function outputsOf(
  declared: readonly TargetOutput[],
  runtime: { readonly grpc: { readonly enabled: boolean } },
): TargetOutput[] {
  return declared.filter((output) => output.when !== 'grpc' || runtime.grpc.enabled);
}

/** Declares `declared` with `values`; throws (a bug) when the values name other outputs. */
export function declareOutputs(
  stack: TerraformStack,
  declared: readonly TargetOutput[],
  values: Readonly<Record<string, string>>,
): void {
  const missing = declared.filter((output) => !(output.name in values)).map((o) => o.name);
  const extra = Object.keys(values).filter((key) => !declared.some((o) => o.name === key));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `outputs differ from the target definition: missing [${missing.join(', ')}], undeclared [${extra.join(', ')}]`,
    );
  }
  for (const output of declared) {
    new TerraformOutput(stack, output.name, {
      value: values[output.name],
      description: output.description,
    });
  }
}
