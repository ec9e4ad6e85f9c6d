export * from './definition.js';
export * from './spec.js';
export * from './gpu-families.js';
