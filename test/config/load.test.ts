import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import { BentoctlError } from '../../src/errors/index.js';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';

const workspace = makeBentoWorkspace();
const file = join(workspace, 'deployment_config.yaml');
const minimal = 'api_version: v1\nname: iris\nbento: ./iris\ntarget: aws-ecs\n';

function load(text: string, env: Record<string, string> = {}) {
  return loadConfigText(file, text, { env, home: join(workspace, 'home') });
}

function failure(text: string, env: Record<string, string> = {}): BentoctlError {
  try {
    load(text, env);
  } catch (error) {
    if (error instanceof BentoctlError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('loading a valid config', () => {
  it('GIVEN the four required fields THEN every default is applied', () => {
    const config = load(minimal);
    expect(config.runtime).toEqual({
      port: 3000,
      workers: 1,
      intra_op_threads: 0,
      device: 'cpu',
      device_fallback: 'none',
      max_body_mb: 4,
      log_level: 'info',
      batching: { enabled: true, max_batch_size: 32, max_latency_ms: 10 },
      auth: { mode: 'none', token_env: 'BENTOCTL_AUTH_TOKEN' },
      grpc: { enabled: false, port: 3001 },
    });
    expect(config.state).toEqual({ backend: 'local' });
    expect(config.image.platform).toBe('linux/amd64');
    expect(config.spec).toMatchObject({
      region: 'us-east-1',
      cpu: 1024,
      memory: 2048,
      public: false,
      allowed_cidrs: [],
    });
    expect(config.env).toEqual({});
  });

  it('GIVEN a relative bento THEN it resolves from the config folder, not the cwd', () => {
    const config = load(minimal);
    expect(config.bentoReference).toEqual({ kind: 'directory', path: join(workspace, 'iris') });
    expect(config.source.dir).toBe(workspace);
  });

  it('GIVEN name:version THEN the bento is found in the local store', () => {
    const home = join(workspace, 'home');
    const stored = join(home, 'bentos', 'iris_classifier', 'abc123');
    mkdirSync(stored, { recursive: true });
    writeFileSync(join(stored, 'bento.yaml'), 'service: iris_classifier\n');
    const config = load(minimal.replace('./iris', 'iris_classifier:abc123'));
    expect(config.bentoReference).toMatchObject({
      kind: 'store',
      name: 'iris_classifier',
      version: 'abc123',
      path: stored,
    });
  });

  it('GIVEN an s3 backend without key THEN the key derives from the target, region and deployment name', () => {
    const config = load(`${minimal}state: { backend: s3, bucket: tf-state, region: us-east-1 }\n`);
    expect(config.state).toEqual({
      backend: 's3',
      bucket: 'tf-state',
      region: 'us-east-1',
      key: 'bentoctl/aws-ecs/us-east-1/iris/terraform.tfstate',
      use_lockfile: true,
      encrypt: true,
    });
  });

  it('GIVEN aws-ec2-gpu without runtime.device THEN the device defaults to gpu, unless written', () => {
    const gpu = minimal.replace('aws-ecs', 'aws-ec2-gpu');
    expect(load(gpu).runtime.device).toBe('gpu');
    expect(load(`${gpu}runtime:\n  device: cpu\n`).runtime.device).toBe('cpu');
    expect(load(minimal).runtime.device).toBe('cpu');
  });

  it('GIVEN sections left empty (every line commented out) THEN their defaults apply', () => {
    const config = load(`${minimal}spec:\n  # region: us-east-1\nruntime:\nenv:\n`);
    expect(config.spec.region).toBe('us-east-1');
    expect(config.runtime.port).toBe(3000);
    expect(config.env).toEqual({});
  });

  it('GIVEN numbers and booleans in env THEN they become strings', () => {
    const config = load(`${minimal}env: { WORKERS: 4, VERBOSE: true, NAME: x }\n`);
    expect(config.env).toEqual({ WORKERS: '4', VERBOSE: 'true', NAME: 'x' });
  });
});

describe('${VAR} interpolation', () => {
  it('GIVEN an unquoted ${PORT} THEN the value is read as the number it holds', () => {
    const config = load(`${minimal}runtime:\n  port: \${PORT}\n`, { PORT: '8080' });
    expect(config.runtime.port).toBe(8080);
  });

  it('GIVEN a quoted reference THEN the value stays a string', () => {
    const config = load(`${minimal}env: { BUILD: "\${BUILD_ID}" }\n`, { BUILD_ID: '0042' });
    expect(config.env.BUILD).toBe('0042');
  });

  it('GIVEN a quoted whole reference in a flow mapping THEN a number field reads it as a number', () => {
    const config = load(
      `${minimal}runtime:\n  batching: { max_batch_size: "\${MBS}", enabled: "\${ON}" }\n`,
      {
        MBS: '16',
        ON: 'false',
      },
    );
    expect(config.runtime.batching.max_batch_size).toBe(16);
    expect(config.runtime.batching.enabled).toBe(false);
  });

  it('GIVEN a quoted whole reference in block style THEN spec numbers and booleans are typed', () => {
    const config = load(
      `${minimal}spec:\n  cpu: "\${CPU}"\n  memory: \${MEM}\n  min_instances: "\${MIN:-2}"\n`,
      {
        CPU: '2048',
        MEM: '4096',
      },
    );
    expect(config.spec).toMatchObject({ cpu: 2048, memory: 4096, min_instances: 2 });
  });

  it('GIVEN an unquoted number-like reference where the schema wants a string THEN it stays a string', () => {
    const config = load(`${minimal}spec:\n  region: us-east-1\nenv:\n  BUILD: \${BUILD_ID}\n`, {
      BUILD_ID: '0042',
    });
    expect(config.env.BUILD).toBe('0042');
  });

  it('GIVEN a reference holding a non-number where a number is expected THEN the error names the field', () => {
    const error = failure(`${minimal}runtime:\n  batching: { max_batch_size: "\${MBS}" }\n`, {
      MBS: 'lots',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.diagnostics.map((d) => [d.location.line, d.field])).toEqual([
      [6, 'runtime.batching.max_batch_size'],
    ]);
  });

  it('GIVEN ${VAR:-default} and an unset VAR THEN the default is used', () => {
    const config = load(`${minimal}spec:\n  region: \${REGION:-eu-west-1}\n`);
    expect(config.spec.region).toBe('eu-west-1');
  });

  it('GIVEN references inside a longer string THEN each is filled', () => {
    const config = load(`${minimal}env: { URL: "https://\${HOST}:\${PORT_NO}/v2" }\n`, {
      HOST: 'h',
      PORT_NO: '9',
    });
    expect(config.env.URL).toBe('https://h:9/v2');
  });

  it('GIVEN $${ THEN a literal ${ is kept', () => {
    const config = load(`${minimal}env: { TEMPLATE: "$\${NOT_A_VAR}" }\n`);
    expect(config.env.TEMPLATE).toBe('${NOT_A_VAR}');
  });

  it('GIVEN two unset variables THEN both are named, each with its line', () => {
    const error = failure(`${minimal}env:\n  A: \${UNSET_ONE}\n  B: \${UNSET_TWO}\n`);
    expect(error.code).toBe('CONFIG_ENV_UNSET');
    expect(error.diagnostics.map((d) => [d.location.line, d.field, d.message])).toEqual([
      [6, 'env.A', 'environment variable UNSET_ONE is not set'],
      [7, 'env.B', 'environment variable UNSET_TWO is not set'],
    ]);
  });

  it('GIVEN a reference in a key THEN the key is left alone', () => {
    const error = failure(`${minimal}env:\n  \${KEY}: x\n`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.diagnostics[0]?.field).toBe('env.${KEY}');
  });
});

describe('reporting several problems', () => {
  it('GIVEN problems in common fields and in the spec THEN all are listed in file order', () => {
    const error = failure(
      'api_version: v1\nname: Iris\nbento: ./iris\ntarget: aws-ecs\nspec:\n  cpu: 100\nruntime:\n  port: 22\n',
    );
    expect(
      error.diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.field}`),
    ).toEqual(['2:7 name', '6:8 spec.cpu', '8:9 runtime.port']);
  });

  it('GIVEN a file on disk THEN loadConfig names it in every diagnostic', () => {
    const path = join(workspace, 'broken.yaml');
    writeFileSync(path, `${minimal}runtime: { workers: 0 }\n`);
    try {
      loadConfig(path, { env: {} });
      expect.unreachable();
    } catch (error) {
      expect((error as BentoctlError).diagnostics[0]?.location).toEqual({
        file: path,
        line: 5,
        column: 21,
      });
    }
  });
});
