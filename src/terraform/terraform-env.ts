/**
 * The environment terraform runs with: never prompt (bentoctl asks itself, and CI has no one to
 * answer), output meant for automation (no "run terraform apply" advice), and no update check, which would call out to HashiCorp.
 */
export const TERRAFORM_AUTOMATION_ENV = {
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  CHECKPOINT_DISABLE: '1',
} as const;

/** `base` (the process environment by default) with the automation variables on top. */
export function terraformEnvironment(
  base: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(base))
    if (value !== undefined) environment[name] = value;
  return { ...environment, ...TERRAFORM_AUTOMATION_ENV };
}
