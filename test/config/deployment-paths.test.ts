import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deploymentPaths,
  deploymentPathsOf,
  stateRoot,
} from '../../src/config/deployment-paths.js';
import { BentoctlError } from '../../src/errors/index.js';

describe('deployment folder location', () => {
  let dir: string;
  let configDir: string;
  let cwd: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bentoctl-paths-'));
    configDir = join(dir, 'deploy');
    cwd = join(dir, 'work');
    mkdirSync(configDir);
    mkdirSync(cwd);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const config = { name: 'iris-prod', source: { dir: '' } };

  it('GIVEN no override THEN the folder is .bentoctl/<name>/ beside the config, whatever the cwd', () => {
    expect(deploymentPaths('iris-prod', configDir, { cwd, env: {} })).toEqual({
      root: join(configDir, '.bentoctl', 'iris-prod'),
      stack: join(configDir, '.bentoctl', 'iris-prod', 'stack'),
      buildRecord: join(configDir, '.bentoctl', 'iris-prod', 'build.json'),
      lock: join(configDir, '.bentoctl', 'iris-prod', 'apply.lock'),
    });
  });

  it('GIVEN BENTOCTL_STATE_DIR THEN it replaces <config folder>/.bentoctl, a relative one from the cwd', () => {
    expect(stateRoot(configDir, { cwd, env: { BENTOCTL_STATE_DIR: '/var/lib/bentoctl' } })).toBe(
      '/var/lib/bentoctl',
    );
    expect(
      deploymentPaths('iris-prod', configDir, { cwd, env: { BENTOCTL_STATE_DIR: 'state' } }).root,
    ).toBe(join(cwd, 'state', 'iris-prod'));
    // Empty is unset, as shells leave it after `BENTOCTL_STATE_DIR=`.
    expect(stateRoot(configDir, { cwd, env: { BENTOCTL_STATE_DIR: '' } })).toBe(
      join(configDir, '.bentoctl'),
    );
  });

  it('GIVEN ./.bentoctl/<name>/ in the cwd and none beside the config THEN DEPLOYMENT_DIR_ELSEWHERE names both', () => {
    mkdirSync(join(cwd, '.bentoctl', 'iris-prod'), { recursive: true });
    const located = () =>
      deploymentPathsOf({ ...config, source: { dir: configDir } }, { cwd, env: {} });

    expect(located).toThrow(BentoctlError);
    expect(located).toThrow(join(cwd, '.bentoctl', 'iris-prod'));
    expect(located).toThrow(join(configDir, '.bentoctl', 'iris-prod'));
  });

  it.each([
    ['the folder beside the config exists too', { besideConfig: true, env: {} }],
    ['BENTOCTL_STATE_DIR is set', { besideConfig: false, env: { BENTOCTL_STATE_DIR: 'x' } }],
  ])('GIVEN a cwd folder and %s THEN no error', (_name, { besideConfig, env }) => {
    mkdirSync(join(cwd, '.bentoctl', 'iris-prod'), { recursive: true });
    if (besideConfig) mkdirSync(join(configDir, '.bentoctl', 'iris-prod'), { recursive: true });

    expect(() =>
      deploymentPathsOf({ ...config, source: { dir: configDir } }, { cwd, env }),
    ).not.toThrow();
  });
});
