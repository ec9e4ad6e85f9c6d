import { describe, expect, it } from 'vitest';
import { RUNTIME_ENV } from '../../src/config/runtime-env.js';
import { readSettings, settingsToEnv } from '../../src/runtime/settings.js';

describe('settings of the gRPC service and the task API', () => {
  it('GIVEN no environment THEN gRPC is off on 3001 and tasks are bounded by 1000, 64 MB and 600 s', () => {
    expect(readSettings({})).toMatchObject({
      grpc: false,
      grpcPort: 3001,
      taskMaxCount: 1000,
      taskMaxMb: 64,
      taskTtlS: 600,
    });
  });

  it('GIVEN their variables THEN they set them, and survive the trip to a worker process', () => {
    const settings = readSettings({
      [RUNTIME_ENV.grpc]: 'true',
      [RUNTIME_ENV.grpcPort]: '9001',
      [RUNTIME_ENV.taskMaxCount]: '5',
      [RUNTIME_ENV.taskMaxMb]: '0.5',
      [RUNTIME_ENV.taskTtlS]: '30',
    });
    expect(settings).toMatchObject({
      grpc: true,
      grpcPort: 9001,
      taskMaxCount: 5,
      taskMaxMb: 0.5,
      taskTtlS: 30,
    });
    expect(readSettings(settingsToEnv(settings))).toMatchObject(settings);
  });

  it('GIVEN bad values THEN each is named with its variable', () => {
    expect(() =>
      readSettings({
        [RUNTIME_ENV.grpc]: 'on',
        [RUNTIME_ENV.grpcPort]: '70000',
        [RUNTIME_ENV.taskMaxCount]: '0',
        [RUNTIME_ENV.taskTtlS]: 'forever',
      }),
    ).toThrow(
      /BENTOCTL_GRPC="on".*BENTOCTL_GRPC_PORT="70000".*BENTOCTL_TASK_MAX_COUNT="0".*BENTOCTL_TASK_TTL_S="forever"/,
    );
  });
});
