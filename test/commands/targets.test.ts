import { describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../../src/targets/names.js';
import { runCli } from '../helpers/run-cli.js';

describe('bentoctl targets', () => {
  it('GIVEN list --json THEN the four targets come back with cloud and registry', async () => {
    const result = await runCli(['targets', 'list', '--json']);
    expect(result.status).toBe(0);
    const targets = JSON.parse(result.stdout) as {
      name: string;
      cloud: string;
      registry: string;
    }[];
    expect(targets.map((t) => t.name)).toEqual([...TARGET_NAMES]);
    expect(targets.find((t) => t.name === 'google-cloud-run')).toMatchObject({
      cloud: 'gcp',
      registry: 'artifact-registry',
    });
  });

  it('GIVEN show aws-ecs THEN each field has a type, default and description', async () => {
    const result = await runCli(['targets', 'show', 'aws-ecs', '--json']);
    expect(result.status).toBe(0);
    const details = JSON.parse(result.stdout) as {
      fields: {
        name: string;
        type: string;
        default?: unknown;
        defaultNote?: string;
        description: string;
      }[];
      outputs: { name: string }[];
    };
    const cpu = details.fields.find((field) => field.name === 'cpu');
    expect(cpu).toMatchObject({
      type: 'enum',
      default: 1024,
      values: [256, 512, 1024, 2048, 4096, 8192, 16384],
    });
    expect(details.fields.find((field) => field.name === 'vpc_id')?.defaultNote).toBe(
      'a new VPC is created',
    );
    for (const field of details.fields) expect(field.description, field.name).not.toBe('');
    expect(details.outputs.map((output) => output.name)).toContain('endpoint');
  });

  it('GIVEN show for a target with a nested field THEN nested fields are listed by dotted name', async () => {
    const result = await runCli(['targets', 'show', 'google-cloud-run']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^project\s+string\s+\(required\)/m);
    expect(result.stdout).toMatch(/^gpu\.type\s+/m);
  });

  it('GIVEN show for each target THEN it lists the release strategies it can do and why not the others', async () => {
    const run = await runCli(['targets', 'show', 'google-cloud-run']);
    const aks = await runCli(['targets', 'show', 'azure-aks', '--json']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Release strategies \(release\.strategy\):$/m);
    expect(run.stdout).toMatch(/^ {2}canary {2}revision traffic split: .*tagged candidate/m);
    expect(run.stdout).toMatch(/^ {2}blue-green {2}the new revision gets 0 %/m);
    const details = JSON.parse(aks.stdout) as {
      releaseStrategies: Record<string, string>;
      releaseGaps: Record<string, string>;
    };
    expect(Object.keys(details.releaseStrategies)).toEqual(['rolling']);
    expect(details.releaseGaps.canary).toContain('ingress controller or Gateway API');
  });

  it('GIVEN show aws-ecs THEN blue-green says it waits for an approval through a lifecycle hook', async () => {
    const run = await runCli(['targets', 'show', 'aws-ecs']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}blue-green {2}ECS native BLUE_GREEN with a lifecycle hook: .*no traffic until healthy and approved \(bentoctl release promote; release abort rejects/m,
    );
  });

  it('GIVEN an unknown target THEN exit 2 with the closest name', async () => {
    const result = await runCli(['targets', 'show', 'cloud-run']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('TARGET_UNKNOWN');
    expect(result.stderr).toContain('google-cloud-run');
  });
});
