export * from './definition.js';
export * from './spec.js';
