/**
 * A private OCI registry (distribution's `docker-registry serve`) on 127.0.0.1. Engines allow
 * plain HTTP to 127.0.0.0/8 registries, so no TLS or insecure-registries setting is needed.
 * With `auth`, it asks for a username and password (htpasswd basic auth), as a production
 * registry does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  keepEngines,
  keptNotice,
  missingRequirements,
  skipReasonOrThrow,
  spawnDaemon,
  stopDaemon,
  waitForDaemon,
} from './daemon.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export interface Registry {
  /** `127.0.0.1:<port>`, the prefix for image references. */
  host: string;
  /** `http://127.0.0.1:<port>`, for talking to the /v2/ API directly. */
  url: string;
  logFile: string;
  /** Set when the registry was started with `auth`. */
  auth?: RegistryAuth;
  /** The token service of a registry with `scheme: 'token'`. */
  tokens?: TokenServer;
  stop(): Promise<void>;
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  /**
   * `basic`: htpasswd, the registry checks the password itself (ECR answers the same way).
   * `token`: a bearer challenge, with a token service on 127.0.0.1 that checks the password.
   * @default 'basic'
   */
  readonly scheme?: 'basic' | 'token';
}

export interface RegistryOptions {
  /** @default - no authentication */
  readonly auth?: RegistryAuth;
}

export function registryProblems(options: RegistryOptions = {}): string[] {
  return missingRequirements([
    { binary: 'docker-registry', aptPackage: 'docker-registry' },
    ...(options.auth === undefined
      ? []
      : options.auth.scheme === 'token'
        ? [{ binary: 'openssl', aptPackage: 'openssl' }]
        : [{ binary: 'htpasswd', aptPackage: 'apache2-utils' }]),
  ]);
}

/** Skip reason for describe.skipIf; undefined when the registry can run. Throws under CI=true. */
export function registrySkipReason(options: RegistryOptions = {}): string | undefined {
  return skipReasonOrThrow('registry integration tests', registryProblems(options));
}

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
/** Another process can take the probed port before the registry binds it; retry on a new one. */
const START_ATTEMPTS = 3;

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(await freePort(), options.auth);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error) || !error.message.includes('address already in use')) break;
    }
  }
  throw lastError;
}

async function startOnce(port: number, auth: RegistryAuth | undefined): Promise<Registry> {
  const dir = await mkdtemp('/tmp/bctl-reg-');
  const logFile = join(dir, 'registry.log');
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const config = join(dir, 'config.yml');
  let htpasswdFile: string | undefined;
  let tokens: TokenServer | undefined;
  if (auth?.scheme === 'token') {
    tokens = await startTokenServer(dir, auth);
  } else if (auth !== undefined) {
    htpasswdFile = join(dir, 'htpasswd');
    // bcrypt (-B) is the only hash distribution's htpasswd auth accepts.
    const line = execFileSync('htpasswd', ['-Bbn', auth.username, auth.password], {
      encoding: 'utf8',
    });
    await writeFile(htpasswdFile, line);
  }
  await writeFile(config, registryConfig(host, join(dir, 'data'), htpasswdFile, tokens));

  const daemon = spawnDaemon('docker-registry', ['serve', config], logFile);
  const stop = async (): Promise<void> => {
    if (keepEngines()) {
      daemon.release();
      console.warn(keptNotice(daemon, `registry at ${url}`, dir));
      return;
    }
    await stopDaemon(daemon, STOP_GRACE_MS);
    await tokens?.stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForDaemon(
      async () => {
        const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) });
        return response.status === (auth === undefined ? 200 : 401);
      },
      { what: `docker-registry (${url})`, timeoutMs: START_TIMEOUT_MS, daemon },
    );
  } catch (error) {
    // The error carries the log tail, which is where startRegistry finds "address already in use".
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    host,
    url,
    logFile,
    ...(auth === undefined ? {} : { auth }),
    ...(tokens === undefined ? {} : { tokens }),
    stop,
  };
}

function registryConfig(
  addr: string,
  storageDir: string,
  htpasswdFile?: string,
  tokens?: TokenServer,
): string {
  const auth =
    tokens !== undefined
      ? [
          'auth:',
          '  token:',
          `    realm: ${tokens.realm}`,
          `    service: ${tokens.service}`,
          `    issuer: ${tokens.issuer}`,
          `    rootcertbundle: ${tokens.certFile}`,
        ]
      : htpasswdFile === undefined
        ? []
        : ['auth:', '  htpasswd:', '    realm: bentoctl-test', `    path: ${htpasswdFile}`];
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${addr}`,
    ...auth,
    '',
  ].join('\n');
}

/**
 * A port below 32768 that is free now (bound once to check, then released): ports the kernel
 * hands out (port 0) are in the ephemeral range, where a client socket can take them meanwhile
 * (a socket connected to itself was seen on this machine). Callers retry on EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(port)) return port;
  }
  throw new Error('no free port in 20000-31999 after 50 tries');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
