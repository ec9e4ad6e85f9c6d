export * from './load.js';
export * from './resolved-config.js';
export * from './schema.js';
export * from './runtime-schema.js';
export * from './state-schema.js';
export * from './release-schema.js';
