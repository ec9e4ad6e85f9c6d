/**
 * The container environment variables a target fills from its cloud's secret store:
 * `secrets:` of the config, plus the bearer token when `runtime.auth` asks for one. Each target
 * parses the references into its own store's form; this only collects them, once, in a stable
 * order.
 */
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { errors } from '../../errors/index.js';

export interface SecretEnvVar {
  /** Environment variable name in the container. */
  readonly name: string;
  /** The secret as the config wrote it (ARN, Secret Manager name, Key Vault secret id…). */
  readonly reference: string;
}

/** Sorted by variable name, so the synthesized container definition never reorders. */
export function secretEnvVars(config: Pick<ResolvedConfig, 'secrets' | 'runtime'>): SecretEnvVar[] {
  const byName = new Map(Object.entries(config.secrets));
  const { auth } = config.runtime;
  // A token secret is only read in bearer mode; granting access to it otherwise would widen
  // the runtime identity's permissions for nothing.
  if (auth.mode === 'bearer' && auth.secret !== undefined) {
    const other = byName.get(auth.token_env);
    if (other !== undefined && other !== auth.secret) {
      throw errors.secretReferenceInvalid(
        auth.token_env,
        other,
        `the same secret as runtime.auth.secret (${auth.secret}), which also fills ${auth.token_env}; keep one of the two`,
      );
    }
    byName.set(auth.token_env, auth.secret);
  }
  return [...byName.entries()]
    .map(([name, reference]) => ({ name, reference }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
