export * from './definition.js';
export * from './spec.js';
export * from './limits.js';
