import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBentoWorkspace } from '../helpers/bento-fixture.js';
import { runCli } from '../helpers/run-cli.js';

const perTarget = [
  ['aws-ecs', ['--region', 'eu-west-1', '--set', 'cpu=2048', '--set', 'memory=4096']],
  ['google-cloud-run', ['--region', 'europe-west4', '--set', 'project=my-ml-project']],
  [
    'azure-aks',
    ['--region', 'westeurope', '--set', 'api_server_authorized_ip_ranges=[203.0.113.0/24]'],
  ],
  ['aws-ec2-gpu', ['--region', 'us-west-2', '--set', 'instance_type=g6.xlarge']],
] as const;

describe('bentoctl init, non-interactive', () => {
  it.each(perTarget)(
    'GIVEN --yes for %s THEN the file written passes validate',
    async (target, extra) => {
      const cwd = makeBentoWorkspace();
      const init = await runCli(
        [
          'init',
          '--yes',
          '--target',
          target,
          '--bento',
          './iris',
          '--name',
          `iris-${target}`,
          '--output',
          'deploy/config.yaml',
          ...extra,
        ],
        { cwd },
      );
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const text = readFileSync(join(cwd, 'deploy', 'config.yaml'), 'utf8');
      expect(text).toMatch(/^# bentoctl deployment config/);
      expect(text).toContain('bento: ../iris');

      const validate = await runCli(['validate', '-f', 'deploy/config.yaml', '--json'], { cwd });
      expect(validate.status).toBe(0);
      const result = JSON.parse(validate.stdout) as {
        config: { target: string; name: string; spec: Record<string, unknown> };
      };
      expect(result.config.target).toBe(target);
      expect(result.config.name).toBe(`iris-${target}`);
      const regionKey = target === 'azure-aks' ? 'location' : 'region';
      expect(result.config.spec[regionKey]).toBe(extra[1]);
    },
  );

  it('GIVEN an existing file THEN init refuses without --force and overwrites with it', async () => {
    const cwd = makeBentoWorkspace();
    writeFileSync(join(cwd, 'deployment_config.yaml'), 'mine\n');
    const args = ['init', '--yes', '--target', 'aws-ecs', '--bento', './iris'];
    const refused = await runCli(args, { cwd });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('OUTPUT_EXISTS');
    expect(readFileSync(join(cwd, 'deployment_config.yaml'), 'utf8')).toBe('mine\n');

    const forced = await runCli([...args, '--force'], { cwd });
    expect(forced.status).toBe(0);
    expect(readFileSync(join(cwd, 'deployment_config.yaml'), 'utf8')).toContain('target: aws-ecs');
  });

  it('GIVEN no terminal and no flags THEN init exits 2 naming the missing flags', async () => {
    const cwd = makeBentoWorkspace();
    const result = await runCli(['init'], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--target');
    expect(existsSync(join(cwd, 'deployment_config.yaml'))).toBe(false);
  });

  it('GIVEN a malformed --set THEN init exits 2 and shows the expected form', async () => {
    const cwd = makeBentoWorkspace();
    const result = await runCli(
      ['init', '--yes', '--target', 'aws-ecs', '--bento', './iris', '--set', 'cpu'],
      { cwd },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('<field>=<value>');
  });

  it('GIVEN --json THEN the result is machine-readable', async () => {
    const cwd = makeBentoWorkspace();
    const result = await runCli(
      [
        'init',
        '--yes',
        '--target',
        'azure-aks',
        '--bento',
        './iris',
        '--set',
        'api_server_authorized_ip_ranges=[203.0.113.0/24]',
        '--json',
      ],
      { cwd },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'iris',
      target: 'azure-aks',
      bento: './iris',
    });
  });
});
