export * from './definition.js';
export * from './spec.js';
export * from './fargate-sizes.js';
