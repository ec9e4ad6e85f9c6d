import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { buildError } from '../../src/builders/build-image.js';
import { DockerStreamError } from '../../src/builders/docker-stream.js';
import { connectEngine } from '../../src/builders/engine.js';
import { countLayers } from '../../src/builders/push-image.js';

describe('build failures', () => {
  it('GIVEN a failing step THEN IMAGE_BUILD_FAILED names the step and shows only its output', () => {
    const error = new DockerStreamError(
      'build failed: The command returned a non-zero code: 3',
      [
        'Step 1/4 : FROM base',
        ' ---> abc',
        'Step 2/4 : RUN make',
        'compiling',
        'make: *** [all] Error 3',
      ],
      'The command returned a non-zero code: 3',
    );
    const mapped = buildError('bentoctl/x:1', 'base', error);
    expect(mapped).toMatchObject({ code: 'IMAGE_BUILD_FAILED', kind: 'external' });
    expect(mapped.message).toBe(
      'Building bentoctl/x:1 failed at step 2/4 (RUN make): The command returned a non-zero code: 3.\n--- output ---\ncompiling\nmake: *** [all] Error 3',
    );
  });

  it('GIVEN the FROM step fails THEN BASE_IMAGE_UNAVAILABLE for the base image', () => {
    const error = new DockerStreamError(
      'x',
      ['Step 1/4 : FROM my/base:1'],
      'pull access denied for my/base',
    );
    expect(buildError('bentoctl/x:1', 'my/base:1', error)).toMatchObject({
      code: 'BASE_IMAGE_UNAVAILABLE',
      message:
        'The base image my/base:1 is not in the engine and could not be pulled: pull access denied for my/base.',
    });
  });

  it('GIVEN the engine connection drops THEN ENGINE_UNREACHABLE', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(buildError('bentoctl/x:1', 'b', error)).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
  });

  it('GIVEN no engine at the socket THEN connectEngine fails with ENGINE_UNREACHABLE and the fix', async () => {
    const docker = new Dockerode({ socketPath: '/nonexistent/bentoctl-test.sock' });
    const failing = connectEngine(docker);
    await expect(failing).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE', kind: 'external' });
    await expect(failing).rejects.toThrow(/ENOENT/);
    await expect(failing).rejects.toHaveProperty('hint', expect.stringContaining('DOCKER_HOST'));
  });
});

describe('countLayers', () => {
  it('GIVEN a push stream THEN counts uploaded and already-present layers once each', () => {
    const events = [
      { status: 'Preparing', id: 'aaaaaaaaaaaa' },
      { status: 'Pushing', id: 'aaaaaaaaaaaa', progress: '[==>  ]' },
      { status: 'Pushed', id: 'aaaaaaaaaaaa' },
      { status: 'Layer already exists', id: 'bbbbbbbbbbbb' },
      { status: 'Mounted from other/repo', id: 'cccccccccccc' },
      { status: 'v1: digest: sha256:abc size: 1234' },
    ];
    expect(countLayers(events)).toEqual({ pushed: 1, existing: 2 });
  });
});
