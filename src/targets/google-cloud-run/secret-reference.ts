/**
 * Secret Manager references as a config writes them: `projects/<project>/secrets/<secret>`, or
 * just `<secret>` (in the deployment's project), optionally ending in `/versions/<n|latest>`.
 */

export interface SecretManagerReference {
  /** The project holding the secret. @default - the deployment's project */
  readonly project?: string;
  readonly secret: string;
  /** A version number, or `latest` so a rotation reaches new instances without a deploy. */
  readonly version: string;
}

const FULL =
  /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})\/secrets\/([A-Za-z0-9_-]{1,255})(?:\/versions\/(latest|[1-9]\d*))?$/;
const SHORT = /^([A-Za-z0-9_-]{1,255})(?:\/versions\/(latest|[1-9]\d*))?$/;

export const SECRET_MANAGER_REFERENCE_FORM =
  'a Secret Manager secret: <secret> or projects/<project>/secrets/<secret>, optionally ending in /versions/<n>';

export function parseSecretManagerReference(text: string): SecretManagerReference | undefined {
  const full = FULL.exec(text);
  if (full) {
    const [, project = '', secret = '', version] = full;
    return { project, secret, version: version ?? 'latest' };
  }
  const short = SHORT.exec(text);
  if (short) {
    const [, secret = '', version] = short;
    return { secret, version: version ?? 'latest' };
  }
  return undefined;
}

/** The form Cloud Run and the IAM binding both take: the full resource name. */
export function secretResourceName(reference: SecretManagerReference, project: string): string {
  return `projects/${reference.project ?? project}/secrets/${reference.secret}`;
}
