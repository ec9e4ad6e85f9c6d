/**
 * The Terraform JSON file of a stack folder: what `generate` writes, what terraform reads there
 * (any `*.tf.json` would do; one name lets every step find the stack).
 */
export const STACK_FILE = 'main.tf.json';
