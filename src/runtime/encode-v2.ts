/**
 * The Open Inference Protocol v2 infer response: outputs as JSON `data`, or, for the outputs
 * the client asked to get as binary, as raw bytes after the JSON header (binary-tensors.ts).
 */
import { INFERENCE_HEADER, tensorBytes } from './binary-tensors.js';
import { DTYPES, flatValues, type HostTensor } from './tensor.js';

export interface V2Response {
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function encodeV2Response(options: {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly id: string | undefined;
  readonly outputs: readonly { readonly name: string; readonly tensor: HostTensor }[];
  readonly binaryOutputs: ReadonlySet<string>;
}): V2Response {
  const binaries: Buffer[] = [];
  const header = {
    model_name: options.modelName,
    model_version: options.modelVersion,
    ...(options.id === undefined ? {} : { id: options.id }),
    outputs: options.outputs.map(({ name, tensor }) => {
      const described = { name, datatype: DTYPES[tensor.dtype].v2, shape: tensor.dims };
      if (!options.binaryOutputs.has(name)) return { ...described, data: flatValues(tensor) };
      const bytes = tensorBytes(tensor);
      binaries.push(bytes);
      return { ...described, parameters: { binary_data_size: bytes.length } };
    }),
  };
  if (binaries.length === 0) return { body: header };
  const json = Buffer.from(JSON.stringify(header));
  return {
    body: Buffer.concat([json, ...binaries]),
    contentType: 'application/octet-stream',
    headers: { [INFERENCE_HEADER]: String(json.length) },
  };
}
