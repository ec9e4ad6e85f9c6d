import * as Flags from '@oclif/core/flags';

/** `-f/--file`, the deployment config every deploying command reads. */
export const configFileFlag = Flags.string({
  char: 'f',
  summary: 'Path to the deployment config.',
  default: 'deployment_config.yaml',
  helpValue: '<file>',
});
