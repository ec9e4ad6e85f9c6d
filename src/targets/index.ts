export * from './names.js';
export * from './target.js';
export * from './registry.js';
