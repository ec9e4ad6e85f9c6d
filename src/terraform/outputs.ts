/** `terraform output -json`: the stack's outputs (at least `endpoint`) from the state. */
import { errors } from '../errors/index.js';
import type { JsonValue } from './plan-json.js';

export interface TerraformOutput {
  readonly value: JsonValue;
  readonly sensitive: boolean;
}

export type TerraformOutputs = Readonly<Record<string, TerraformOutput>>;

export function parseOutputsJson(text: string): TerraformOutputs {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errors.terraformOutputInvalid('output -json', `not JSON (${(cause as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errors.terraformOutputInvalid('output -json', 'expected an object of outputs');
  }
  const outputs: Record<string, TerraformOutput> = {};
  for (const [name, output] of Object.entries(value as Record<string, unknown>)) {
    if (typeof output !== 'object' || output === null || !('value' in output)) {
      throw errors.terraformOutputInvalid('output -json', `output ${name} has no value`);
    }
    const { value: outputValue, sensitive } = output as { value: JsonValue; sensitive?: unknown };
    outputs[name] = { value: outputValue, sensitive: sensitive === true };
  }
  return outputs;
}

/** Outputs as the user may see them: sensitive values masked. */
export function displayOutputs(outputs: TerraformOutputs): Record<string, JsonValue> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, output]) => [
      name,
      output.sensitive ? '(sensitive)' : output.value,
    ]),
  );
}

/** The `endpoint` output, when the stack declares one as a string. */
export function endpointOf(outputs: TerraformOutputs): string | undefined {
  const endpoint = outputs.endpoint;
  return endpoint !== undefined && typeof endpoint.value === 'string' && !endpoint.sensitive
    ? endpoint.value
    : undefined;
}
