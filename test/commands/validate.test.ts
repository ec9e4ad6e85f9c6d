import { describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../../src/targets/names.js';
import { runCli } from '../helpers/run-cli.js';

describe('bentoctl validate on the examples', () => {
  it.each(TARGET_NAMES)(
    'GIVEN examples/%s THEN it is valid and prints the resolved config',
    async (target) => {
      const result = await runCli(['validate', '-f', `examples/${target}/deployment_config.yaml`]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`is valid: target ${target}`);
      // Defaults the file does not write are shown resolved.
      expect(result.stdout).toContain('max_body_mb: 4');
    },
  );

  it('GIVEN --json THEN the resolved config and the bento location come back', async () => {
    const result = await runCli(
      ['validate', '-f', 'examples/aws-ecs/deployment_config.yaml', '--json'],
      {
        env: { TF_STATE_BUCKET: 'team-state' },
      },
    );
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      valid: boolean;
      config: { state: Record<string, unknown>; spec: Record<string, unknown> };
      bento: { kind: string };
    };
    expect(parsed.valid).toBe(true);
    expect(parsed.config.state).toMatchObject({
      backend: 's3',
      bucket: 'team-state',
      key: 'bentoctl/aws-ecs/us-east-1/iris-ecs/terraform.tfstate',
    });
    expect(parsed.config.spec).toMatchObject({ cpu: 1024, log_retention_days: 30 });
    expect(parsed.bento.kind).toBe('directory');
  });

  it('GIVEN --json and an invalid config THEN the error is JSON on stdout and the exit is 2', async () => {
    const result = await runCli(['validate', '-f', 'does-not-exist.yaml', '--json']);
    expect(result.status).toBe(2);
    const parsed = JSON.parse(result.stdout) as { error: { code: string; kind: string } };
    expect(parsed.error).toMatchObject({ code: 'CONFIG_NOT_FOUND', kind: 'usage' });
  });

  it('GIVEN an unknown flag THEN oclif rejects it with exit 2', async () => {
    const result = await runCli(['validate', '--fil', 'x.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--fil');
  });
});
