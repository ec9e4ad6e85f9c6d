/**
 * The Terraform JSON file of a stack folder: what `generate` writes, what terraform reads there
 * (any `*.tf.json` would do; one name lets every step find the stack).
 */
export const STACK_FILE = 'main.tf.json';

/**
 * Files a stack reads beside its JSON (`${path.module}/assets/<name>`), such as the zip of a
 * Lambda function: written by `generate` with the stack, copied with it into a saved plan.
 */
export const STACK_ASSETS_DIR = 'assets';
