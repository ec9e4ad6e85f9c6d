export * from './bentoctl-error.js';
export * from './catalogue.js';
export * from './interrupted-error.js';
