/**
 * The bento a deployment config names, checked as far as `validate` and `generate` can without
 * building anything: its bento.yaml and every model's protobuf, or with `deep` each model
 * loaded in onnxruntime as `build` and `serve` do. So a corrupt model fails at review time,
 * not after an image was built and pushed.
 */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { validateBento } from './validate.js';

export interface BentoCheck {
  /** False for an archive: its models are read when `build` unpacks it. */
  readonly checked: boolean;
  readonly models: 'onnxruntime' | 'protobuf';
}

export async function checkConfigBento(
  config: Pick<ResolvedConfig, 'bentoReference'>,
  options: { readonly deep?: boolean } = {},
): Promise<BentoCheck> {
  const models = options.deep === true ? 'onnxruntime' : 'protobuf';
  if (config.bentoReference.kind === 'archive') return { checked: false, models };
  await validateBento(config.bentoReference.path, { models });
  return { checked: true, models };
}
