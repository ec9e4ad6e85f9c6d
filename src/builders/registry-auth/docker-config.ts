/**
 * Credentials from the Docker CLI's config (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), as `docker push` would use them: `auths` entries (base64
 * `user:password` or an identity token), then `credHelpers[host]`, then `credsStore`, the
 * helpers being the `docker-credential-<name>` programs on PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../errors/index.js';
import type { RegistryCredentials } from './registry-credentials.js';

interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; identitytoken?: string; username?: string; password?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Runs `docker-credential-<helper> get` with the host on stdin; resolves its stdout. */
export type CredentialHelperRunner = (helper: string, host: string) => Promise<string>;

export interface DockerConfigOptions {
  /** @default $DOCKER_CONFIG or ~/.docker */
  readonly configDir?: string;
  /** @default spawns the helper program */
  readonly runHelper?: CredentialHelperRunner;
}

const HELPER_TIMEOUT_MS = 30_000;
/** Helpers report "no credentials" on stdout with a non-zero exit status. */
const NOT_FOUND = /credentials not found/i;

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== ''
    ? env.DOCKER_CONFIG
    : join(homedir(), '.docker');
}

/** The Docker config's credentials for `host`, or undefined when it has none. */
export async function dockerConfigCredentials(
  host: string,
  options: DockerConfigOptions = {},
): Promise<RegistryCredentials | undefined> {
  const file = join(options.configDir ?? dockerConfigDir(), 'config.json');
  const config = readConfig(file);
  if (config === undefined) return undefined;
  const fromAuths = authsEntry(config, host, file);
  if (fromAuths !== undefined) return fromAuths;
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper === undefined || helper === '') return undefined;
  return helperCredentials(helper, host, options.runHelper ?? runCredentialHelper);
}

function readConfig(file: string): DockerConfigFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DockerConfigFile;
  } catch (cause) {
    throw errors.registryAuthFailed(
      'the Docker config',
      `${file} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      `Fix or remove ${file}; \`docker login\` rewrites it.`,
    );
  }
}

function authsEntry(
  config: DockerConfigFile,
  host: string,
  file: string,
): RegistryCredentials | undefined {
  // Keys may carry a scheme or a path (`https://index.docker.io/v1/`); compare hosts only.
  const entry = Object.entries(config.auths ?? {}).find(
    ([key]) => normalizeHost(key) === host,
  )?.[1];
  if (entry === undefined) return undefined;
  if (entry.identitytoken) return { serveraddress: host, identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw errors.registryAuthFailed(
        host,
        `the auths entry in ${file} is not base64 of "user:password"`,
        `Run \`docker login ${host}\` to rewrite it.`,
      );
    }
    return {
      serveraddress: host,
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
    };
  }
  if (entry.username && entry.password) {
    return { serveraddress: host, username: entry.username, password: entry.password };
  }
  // An empty entry is what `docker login` leaves when a credsStore holds the secret.
  return undefined;
}

async function helperCredentials(
  helper: string,
  host: string,
  run: CredentialHelperRunner,
): Promise<RegistryCredentials | undefined> {
  let output: string;
  try {
    output = await run(helper, host);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (NOT_FOUND.test(message)) return undefined;
    throw errors.registryAuthFailed(
      host,
      `docker-credential-${helper} failed: ${message}`,
      `Check that docker-credential-${helper} is on PATH and works: echo ${host} | docker-credential-${helper} get`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(output) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw errors.registryAuthFailed(
      host,
      `docker-credential-${helper} printed something that is not JSON`,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (secret === '') return undefined;
  // The credential-helper protocol marks identity tokens with this username.
  if (username === '<token>') return { serveraddress: host, identitytoken: secret };
  return { serveraddress: host, username, password: secret };
}

export function normalizeHost(key: string): string {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, '');
  const host = withoutScheme.split('/')[0] ?? withoutScheme;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** Spawns `docker-credential-<helper> get`, host on stdin, bounded in time. */
export const runCredentialHelper: CredentialHelperRunner = (helper, host) =>
  new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: HELPER_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (status === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${(stdout + stderr).trim() || 'no output'} (exit ${status ?? signal ?? 'unknown'})`,
          ),
        );
    });
    child.stdin.end(host === 'docker.io' ? 'https://index.docker.io/v1/' : host);
  });
