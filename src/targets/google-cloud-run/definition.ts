import type { TargetDefinition } from '../target.js';
import { cloudRunImagePullProblem } from './image-source.js';
import { preflightCloudRun } from './preflight.js';
import { cloudRunSpecSchema } from './spec.js';

export const googleCloudRun: TargetDefinition<typeof cloudRunSpecSchema> = {
  name: 'google-cloud-run',
  cloud: 'gcp',
  summary: 'Google Cloud Run (v2 service), private by default, optional NVIDIA L4 GPU',
  specSchema: cloudRunSpecSchema,
  registry: 'artifact-registry',
  outputs: [
    { name: 'endpoint', description: 'URL of the Cloud Run service' },
    {
      name: 'image_repository',
      description: 'Artifact Registry repository the image is pushed to',
    },
  ],
  initFields: ['project', 'region', 'cpu', 'memory', 'min_instances', 'max_instances'],
  preflight: (spec, context) => preflightCloudRun(spec, context),
  imagePullProblem: (repository) => cloudRunImagePullProblem(repository),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeCloudRun,
};
