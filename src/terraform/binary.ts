/**
 * Finds the terraform binary: `TERRAFORM_BIN` when set (it must then be right, no fallback that
 * would silently run another version), else the first `terraform` on PATH. Checks its version,
 * because plan JSON and `-detailed-exitcode` behave as bentoctl expects only from 1.5 on.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { errors } from '../errors/index.js';
import { terraformEnvironment } from './terraform-env.js';

export const MINIMUM_TERRAFORM_VERSION = '1.5.0';

/** A terraform binary that passed the version check. */
export interface TerraformBinary {
  readonly path: string;
  /** e.g. `1.11.4` */
  readonly version: string;
}

export interface DiscoverOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Locates terraform and checks that it is >= MINIMUM_TERRAFORM_VERSION. */
export async function discoverTerraform(options: DiscoverOptions = {}): Promise<TerraformBinary> {
  const env = options.env ?? process.env;
  const path = locateBinary(env);
  const version = await readVersion(path, env);
  if (compareVersions(version, MINIMUM_TERRAFORM_VERSION) < 0) {
    throw errors.terraformTooOld(path, version, MINIMUM_TERRAFORM_VERSION);
  }
  return { path, version };
}

function locateBinary(env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.TERRAFORM_BIN;
  if (configured !== undefined && configured !== '') {
    if (!isExecutableFile(configured)) {
      throw errors.terraformNotFound(`TERRAFORM_BIN=${configured} is not an executable file`);
    }
    return configured;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'terraform');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw errors.terraformNotFound('not on PATH and TERRAFORM_BIN is not set');
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function readVersion(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(path, ['version', '-json'], {
      env: terraformEnvironment(env),
      timeout: 30_000,
    }));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw errors.terraformFailed('version', `${path} could not be run: ${reason}`, '');
  }
  return parseVersionOutput(stdout);
}

/** Reads `terraform version -json`; Terraform before 0.13 has no -json and is rejected here. */
export function parseVersionOutput(stdout: string): string {
  let version: unknown;
  try {
    version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
  } catch {
    throw errors.terraformOutputInvalid('version -json', 'not JSON (Terraform older than 0.13?)');
  }
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version)) {
    throw errors.terraformOutputInvalid(
      'version -json',
      `no terraform_version in ${stdout.trim()}`,
    );
  }
  return version;
}

/** Compares the numeric major.minor.patch of two versions; pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) =>
    version.split(/[.-]/, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Refuses a binary older than the stack's `terraform.required_version` (`>= x.y.z`), before
 * init would fail with Terraform's own less specific message. Stacks without one pass.
 */
export function checkStackVersion(binary: TerraformBinary, stackFile: string): void {
  let terraform: { required_version?: unknown; backend?: { s3?: { use_lockfile?: unknown } } };
  try {
    terraform =
      (JSON.parse(readFileSync(stackFile, 'utf8')) as { terraform?: typeof terraform }).terraform ??
      {};
  } catch {
    return; // a missing or broken stack is reported by the step that reads it
  }
  const required = typeof terraform.required_version === 'string' ? terraform.required_version : '';
  const floor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(required.trim())?.[1];
  if (floor === undefined || compareVersions(binary.version, floor) >= 0) return;
  const reason =
    terraform.backend?.s3?.use_lockfile === true
      ? "this stack's S3 backend with use_lockfile (or set state.use_lockfile: false and a dynamodb_table)"
      : "this stack's terraform.required_version";
  throw errors.terraformTooOld(binary.path, binary.version, floor, reason);
}
