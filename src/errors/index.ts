export * from './bentoctl-error.js';
export * from './catalogue.js';
