import { CANDIDATE_TAG } from '../traffic-split.js';
import { parseSecretManagerReference, SECRET_MANAGER_REFERENCE_FORM } from './secret-reference.js';
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
      name: 'candidate_endpoint',
      description: `URL of the newest revision alone (traffic tag ${CANDIDATE_TAG}: https://${CANDIDATE_TAG}---<service host>), for a smoke test before it takes traffic`,
      when: 'candidate',
    },
    {
      name: 'image_repository',
      description: 'Artifact Registry repository the image is pushed to',
    },
  ],
  releaseStrategies: {
    rolling: 'all traffic to the latest revision once it is ready',
    canary:
      'revision traffic split: the new revision (tagged candidate, with its own URL) gets percent, the previous one the rest, until `bentoctl release promote` or `abort`',
    'blue-green':
      'the new revision gets 0 % and the candidate tag (its own URL for a smoke test) until `bentoctl release promote` moves all traffic',
  },
  candidateUrl: { kind: 'revision-tag', describe: () => `tag ${CANDIDATE_TAG}` },
  grpc: {
    served: false,
    why: "Cloud Run routes one container port to an instance, and that port carries the REST API, the /readyz startup probe and apply's readiness check, while the runtime serves gRPC on a second port no request can reach. gRPC alone on the one port (use_http2) would give up REST, Swagger and the HTTP probes, and a second, gRPC-only service would load the models again and scale apart. Call the same protocol over REST (POST /v2/models/<model>/infer, with binary tensor data for large tensors), or deploy to aws-ecs, aws-ec2-gpu or azure-aks, which carry the gRPC port",
  },
  lifecycle: {
    terminated:
      'service-level manual scaling at 0 instances and ingress internal-only (no new revision): the URL answers nobody from outside; revisions, traffic split, image, repository and IAM stay',
    restored:
      'automatic scaling back (template min_instances..max_instances) and the configured ingress; bentoctl restore waits until the URL answers from the current release',
  },
  secretReference: {
    form: SECRET_MANAGER_REFERENCE_FORM,
    isValid: (reference) => parseSecretManagerReference(reference) !== undefined,
  },
  initFields: ['project', 'region', 'cpu', 'memory', 'min_instances', 'max_instances'],
  stateScope: (spec) => `${spec.project}/${spec.region}`,
  preflight: (spec, context) => preflightCloudRun(spec, context),
  imagePullProblem: (repository) => cloudRunImagePullProblem(repository),
  loadSynthesizer: async () => (await import('./stack.js')).synthesizeGoogleCloudRun,
};
