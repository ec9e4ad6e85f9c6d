import { describe, expect, it } from 'vitest';
import { RUNTIME_ENV } from '../../src/config/runtime-env.js';
import {
  autoIntraOpThreads,
  readSettings,
  RUNTIME_DEFAULTS,
  RuntimeSettingsError,
  settingsToEnv,
} from '../../src/runtime/settings.js';

describe('runtime settings', () => {
  it('GIVEN no environment THEN every default applies, intra-op threads resolved', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      bentoDir: RUNTIME_DEFAULTS.bentoDir,
      port: 3000,
      workers: 1,
      batching: true,
      maxBatchSize: 32,
      maxLatencyMs: 10,
      authMode: 'none',
    });
    expect(settings.intraOpThreads).toBeGreaterThanOrEqual(1);
  });

  it('GIVEN the container environment THEN each RUNTIME_ENV name sets its setting', () => {
    const settings = readSettings({
      [RUNTIME_ENV.port]: '8080',
      [RUNTIME_ENV.workers]: '2',
      [RUNTIME_ENV.intraOpThreads]: '3',
      [RUNTIME_ENV.batching]: 'false',
      [RUNTIME_ENV.maxBatchSize]: '64',
      [RUNTIME_ENV.maxLatencyMs]: '25',
      [RUNTIME_ENV.maxBodyMb]: '1.5',
      [RUNTIME_ENV.logLevel]: 'warn',
      [RUNTIME_ENV.device]: 'gpu',
      [RUNTIME_ENV.bentoDir]: '/srv/bento',
    });
    expect(settings).toMatchObject({
      port: 8080,
      workers: 2,
      intraOpThreads: 3,
      batching: false,
      maxBatchSize: 64,
      maxLatencyMs: 25,
      maxBodyMb: 1.5,
      logLevel: 'warn',
      device: 'gpu',
      bentoDir: '/srv/bento',
    });
  });

  it('GIVEN bad values THEN start-up fails naming each variable and value', () => {
    const attempt = () =>
      readSettings({
        [RUNTIME_ENV.maxBatchSize]: 'lots',
        [RUNTIME_ENV.port]: '70000',
        [RUNTIME_ENV.batching]: 'yes',
      });
    expect(attempt).toThrow(RuntimeSettingsError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as RuntimeSettingsError).problems.join('\n');
      expect(problems).toContain('BENTOCTL_MAX_BATCH_SIZE="lots"');
      expect(problems).toContain('PORT="70000"');
      expect(problems).toContain('BENTOCTL_BATCHING="yes"');
    }
  });

  it('GIVEN bearer auth THEN the token must be in the named variable', () => {
    expect(() => readSettings({ [RUNTIME_ENV.authMode]: 'bearer' })).toThrow(
      /BENTOCTL_AUTH_TOKEN, which is unset/,
    );
    expect(() =>
      readSettings({
        [RUNTIME_ENV.authMode]: 'bearer',
        [RUNTIME_ENV.authTokenEnv]: 'MY_TOKEN',
        MY_TOKEN: 'short',
      }),
    ).toThrow(/too short/);
    expect(
      readSettings({
        [RUNTIME_ENV.authMode]: 'bearer',
        [RUNTIME_ENV.authTokenEnv]: 'MY_TOKEN',
        MY_TOKEN: 'long-enough-token',
      }).authToken,
    ).toBe('long-enough-token');
  });

  it('GIVEN overrides (serve flags) THEN they win over the environment', () => {
    expect(readSettings({ [RUNTIME_ENV.port]: '8080' }, { port: 9090 }).port).toBe(9090);
  });

  it('GIVEN resolved settings THEN settingsToEnv round-trips them', () => {
    const settings = readSettings({
      [RUNTIME_ENV.maxLatencyMs]: '7',
      [RUNTIME_ENV.batching]: 'false',
    });
    const { authToken, ...rest } = readSettings(settingsToEnv(settings));
    const { authToken: _original, ...expected } = settings;
    expect(rest).toEqual(expected);
    expect(authToken).toBeUndefined();
    expect(settingsToEnv(settings).ORT_DISABLE_TELEMETRY).toBe('1');
  });

  it('GIVEN cores, processes and threads THEN intra-op threads leave a core per process for HTTP', () => {
    expect(autoIntraOpThreads(1, 1, 2)).toBe(1);
    expect(autoIntraOpThreads(1, 1, 8)).toBe(7);
    expect(autoIntraOpThreads(2, 1, 8)).toBe(3);
    expect(autoIntraOpThreads(4, 2, 2)).toBe(1);
  });
});
