import { describe, expect, it } from 'vitest';
import { TARGET_NAMES, type TargetName } from '../../src/targets/names.js';
import { getTarget } from '../../src/targets/registry.js';
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
    expect(Object.keys(details.releaseStrategies)).toEqual(['rolling', 'canary', 'blue-green']);
    expect(details.releaseStrategies.canary).toContain("Istio add-on's internal ingress gateway");
    expect(details.releaseGaps).toEqual({});
  });

  it('GIVEN show aws-ecs THEN blue-green says it waits for an approval through a lifecycle hook, and both give the candidate its own URL on the test listener', async () => {
    const run = await runCli(['targets', 'show', 'aws-ecs']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}blue-green {2}ECS native BLUE_GREEN with a lifecycle hook: .*no production traffic until healthy and approved \(bentoctl release promote; release abort rejects/m,
    );
    expect(run.stdout).toMatch(
      /^ {2}blue-green {2}.*own URL for a smoke test \(candidate_endpoint: ECS's test listener on port 8080, HTTPS: 8443\)/m,
    );
    expect(run.stdout).toMatch(
      /^ {2}canary {2}ECS native CANARY: .*Their own URL \(candidate_endpoint\): ECS's test listener on port 8080 \(HTTPS: 8443\)/m,
    );
  });

  it('GIVEN show aws-ec2-gpu THEN canary and blue-green say how (a second group, the candidate port) and what they cost', async () => {
    const text = await runCli(['targets', 'show', 'aws-ec2-gpu']);
    const json = await runCli(['targets', 'show', 'aws-ec2-gpu', '--json']);

    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ {2}canary {2}a second Auto Scaling group .*weighted forward/m);
    expect(text.stdout).toMatch(/^ {2}canary .*at least one more GPU instance for the bake$/m);
    expect(text.stdout).toMatch(
      /^ {2}blue-green {2}.*port 8080 \(HTTPS: 8443\).*twice the GPU instances/m,
    );
    const details = JSON.parse(json.stdout) as {
      releaseStrategies: Record<string, string>;
      releaseGaps: Record<string, string>;
    };
    expect(Object.keys(details.releaseStrategies)).toEqual(['rolling', 'canary', 'blue-green']);
    expect(details.releaseGaps).toEqual({});
  });

  it('GIVEN show for each target THEN it says how gRPC reaches clients, or why it cannot', async () => {
    const ecs = await runCli(['targets', 'show', 'aws-ecs']);
    const run = await runCli(['targets', 'show', 'google-cloud-run', '--json']);

    expect(ecs.status).toBe(0);
    expect(ecs.stdout).toMatch(
      /^gRPC \(runtime\.grpc\):\n {2}.*HTTPS listener on runtime\.grpc\.port/m,
    );
    expect(ecs.stdout).toMatch(/^ {2}grpc_endpoint {2}host:port .* \(with runtime\.grpc\)$/m);
    const details = JSON.parse(run.stdout) as {
      grpc: { served: boolean; why?: string };
      outputs: { name: string }[];
    };
    expect(details.grpc.served).toBe(false);
    expect(details.grpc.why).toContain('one container port');
    expect(details.outputs.map((output) => output.name)).not.toContain('grpc_endpoint');
  });

  it.each([
    ['aws-ecs', /desired count to 0: no tasks run/, /min_instances\.\.max_instances/],
    [
      'google-cloud-run',
      /manual scaling at 0 instances and ingress internal-only/,
      /configured ingress/,
    ],
    ['azure-aks', /0 replicas and its HorizontalPodAutoscaler removed/, /at min_instances/],
    ['aws-ec2-gpu', /held at 0\.\.0: no instances run/, /single instance started/],
  ])(
    'GIVEN show %s THEN it says what terminate and restore do there, from its definition',
    async (name, terminated, restored) => {
      const text = await runCli(['targets', 'show', name]);
      const json = await runCli(['targets', 'show', name, '--json']);

      expect(text.status, text.stderr).toBe(0);
      const lifecycle = getTarget(name as TargetName).lifecycle;
      expect(lifecycle.terminated).toMatch(terminated);
      expect(lifecycle.restored).toMatch(restored);
      expect(text.stdout).toContain(
        `\nLifecycle (bentoctl terminate / restore):\n  terminated  ${lifecycle.terminated}\n  restored    ${lifecycle.restored}\n`,
      );
      expect((JSON.parse(json.stdout) as { lifecycle: unknown }).lifecycle).toEqual(lifecycle);
    },
  );

  it.each([
    ['aws-ecs', /test listener on port 8080 \(HTTPS: 8443\)/],
    ['google-cloud-run', /traffic tag candidate: https:\/\/candidate---<service host>/],
    ['azure-aks', /own internal load balancer while a candidate runs, null otherwise/],
    ['aws-ec2-gpu', /load balancer's port 8080 \(HTTPS: 8443\)/],
  ])(
    "GIVEN show %s THEN its outputs are its definition's, candidate_endpoint among them, marked as there only under canary and blue-green",
    async (name, candidate) => {
      const text = await runCli(['targets', 'show', name]);
      const json = await runCli(['targets', 'show', name, '--json']);

      expect(text.status, text.stderr).toBe(0);
      const outputs = getTarget(name as TargetName).outputs;
      // determinism.test.ts checks these against what each strategy's stack declares.
      expect((JSON.parse(json.stdout) as { outputs: unknown }).outputs).toEqual(outputs);
      expect(outputs).toContainEqual(
        expect.objectContaining({ name: 'candidate_endpoint', when: 'candidate' }),
      );
      const line = text.stdout
        .split('\n')
        .find((each) => each.startsWith('  candidate_endpoint  '));
      expect(line).toMatch(candidate);
      expect(line).toMatch(/ \(with release\.strategy canary or blue-green\)$/);
    },
  );

  it('GIVEN an unknown target THEN exit 2 with the closest name', async () => {
    const result = await runCli(['targets', 'show', 'cloud-run']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('TARGET_UNKNOWN');
    expect(result.stderr).toContain('google-cloud-run');
  });
});
