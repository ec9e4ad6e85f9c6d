/** The deployment targets bentoctl knows, in the order `bentoctl targets list` shows them. */
export const TARGET_NAMES = ['aws-ecs', 'google-cloud-run', 'azure-aks', 'aws-ec2-gpu'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** The clouds behind the targets; a cloud decides the registry and the region names. */
export const CLOUDS = ['aws', 'gcp', 'azure'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Where a target's image is pushed. */
export const REGISTRY_KINDS = ['ecr', 'artifact-registry', 'acr'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];
