/**
 * The package as users get it: `npm pack` of the repository (after `npm run build`), then
 * `npm install --global --omit=dev` of the tarball into a fresh prefix. Shared by the
 * packed-install suite and the release journey, so both run the CLI exactly as installed.
 * npm installs from its local cache (--prefer-offline) and the registry for anything missing.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './run-cli.js';

const exec = promisify(execFile);

/** pack + install take 30-60 s on two cores; a cold npm cache takes longer. */
export const INSTALL_TIMEOUT_MS = 300_000;

export interface PackedInstall {
  /** The `npm pack` tarball (absolute path). */
  readonly tarball: string;
  /** The global prefix it is installed in. */
  readonly prefix: string;
  /** `<prefix>/bin`, for PATH. */
  readonly binDir: string;
  /** `<prefix>/bin/bentoctl`. */
  readonly bin: string;
  /** The installed package folder. */
  readonly installed: string;
}

/** npm settings for a quiet, offline-first install that runs no onnxruntime download. */
export const NPM_INSTALL_ENV = {
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_loglevel: 'error',
} as const;

/** `npm pack` of the repository into `dir`; returns the tarball's path. */
export async function packTarball(dir: string): Promise<string> {
  const { stdout } = await exec(
    'npm',
    ['pack', '--json', '--pack-destination', dir, '--loglevel', 'error'],
    { cwd: repoRoot, timeout: INSTALL_TIMEOUT_MS },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  return join(dir, packed!.filename);
}

/** Where a global install into `prefix` puts things. */
export function installLayout(tarball: string, prefix: string): PackedInstall {
  const binDir = join(prefix, 'bin');
  return {
    tarball,
    prefix,
    binDir,
    bin: join(binDir, 'bentoctl'),
    installed: join(prefix, 'lib', 'node_modules', 'bentoctl'),
  };
}

/** Packs the repository into `dir` and installs the tarball globally in `<dir>/prefix`. */
export async function packAndInstall(dir: string): Promise<PackedInstall> {
  const tarball = await packTarball(dir);
  const prefix = join(dir, 'prefix');
  await exec('npm', ['install', '--global', '--prefix', prefix, '--omit=dev', tarball], {
    cwd: dir,
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, ...NPM_INSTALL_ENV },
  });
  return installLayout(tarball, prefix);
}
