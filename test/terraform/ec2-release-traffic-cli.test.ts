/**
 * aws-ec2-gpu canary and blue-green releases as CI runs them: the built CLI, real terraform, and
 * a provider-free stand-in made from the real synthesized stack. Its `bentoctl_traffic`
 * variable, `for_each` keys, group sizes, listener weights and candidate listener target are the
 * real stack's expressions, evaluated by terraform on `terraform_data` resources, so these tests
 * see which groups exist, how many instances each keeps and what weight each gets after each
 * apply, promote and abort. Two local servers stand in for the endpoint and the candidate port.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAwsEc2Gpu } from '../../src/targets/aws-ec2-gpu/stack.js';
import { imageReference } from '../../src/targets/image-reference.js';
import {
  loadTestConfig,
  resource,
  synthesizeTarget,
  type TerraformDocument,
} from '../targets/target-synth-harness.js';
import { assertCliBuilt } from '../helpers/run-cli.js';
import { releaseCli } from './helpers/release-cli.js';
import { findTerraformForTests } from './helpers/terraform-available.js';
import { startStandIn, type StandInService } from './helpers/stand-in-service.js';
import {
  createSharedStateWorkspaces,
  writeStackJson,
  type SharedStateWorkspaces,
  type Workspace,
} from './helpers/workspace.js';

const binary = await findTerraformForTests();

const REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/ec2-traffic';
const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const image = (hex: string) => `${REPOSITORY}@${digest(hex)}`;
const SPEC = ['  region: us-east-1', '  min_instances: 2', '  max_instances: 4'];

function configLines(bento: string, release: string, state: string[]): string {
  return [
    'api_version: v1',
    'name: ec2-traffic',
    `bento: ${bento}`,
    'target: aws-ec2-gpu',
    'spec:',
    ...SPEC,
    'release:',
    release,
    ...state,
    '',
  ].join('\n');
}

interface Group {
  min_size: number;
  max_size: number;
  wait_for_elb_capacity: number;
}
interface Fleet {
  groups: Record<string, Group>;
  weights: Record<string, number>;
  candidate: string;
}

/** The stand-in revision of image `hex`, as its runtime reports itself. */
const served = (hex: string) => ({ bentoVersion: `bento-${hex}`, digest: digest(hex) });

/**
 * The real stack's traffic expressions on built-in resources: each revision's group (its sizes),
 * the listener's weight per target group and the candidate listener's revision.
 */
function standInStack(
  real: TerraformDocument,
  urls: { endpoint: string; candidate: string },
  statePath: string,
) {
  const group = resource(real, 'aws_autoscaling_group', 'revision_autoscaling_group') ?? {};
  const listener = resource(real, 'aws_lb_listener', 'http_listener') as {
    default_action: {
      forward: { dynamic: { target_group: { for_each: string; content: { weight: string } } } }[];
    }[];
  };
  const weights = listener.default_action[0]!.forward[0]!.dynamic.target_group;
  const candidate = resource(real, 'aws_lb_listener', 'candidate_listener') as {
    default_action: { target_group_arn: string }[];
  };
  // `aws_lb_target_group.revision_target_group[local.candidate_revision].arn` → the key.
  const candidateKey = candidate.default_action[0]!.target_group_arn.replace(
    /^\$\{aws_lb_target_group\.revision_target_group\[(.+)\]\.arn\}$/,
    '$${$1}',
  );
  return {
    terraform: { backend: { local: { path: statePath } } },
    variable: (real as { variable: unknown }).variable,
    locals: { candidate_revision: real.locals?.candidate_revision },
    resource: {
      terraform_data: {
        group: {
          for_each: group.for_each,
          input: {
            min_size: group.min_size,
            max_size: group.max_size,
            wait_for_elb_capacity: group.wait_for_elb_capacity,
          },
        },
        weight: { for_each: weights.for_each, input: weights.content.weight },
        candidate_listener: { input: candidateKey },
      },
    },
    output: {
      endpoint: { value: urls.endpoint },
      candidate_endpoint: { value: urls.candidate },
      fleet: {
        value: {
          groups: '${{ for key, group in terraform_data.group : key => group.output }}',
          weights: '${{ for key, weight in terraform_data.weight : key => weight.output }}',
          candidate: '${terraform_data.candidate_listener.output}',
        },
      },
    },
  };
}

describe.skipIf(binary === undefined)('aws-ec2-gpu release promote and abort (CLI)', () => {
  let folders: SharedStateWorkspaces;
  let statePath: string;
  let workspace: Workspace;
  let fresh: Workspace;
  let main: StandInService;
  let candidateServer: StandInService;
  const urls = { endpoint: '', candidate: '' };
  let stableHex = 'a';
  let newestHex = 'a';
  let release = '  strategy: canary\n  percent: 10\n  bake_minutes: 15';
  const { cli, expectNoChanges } = releaseCli();
  const writeConfigs = () => {
    const state = ['state:', '  backend: local', `  path: ${statePath}`];
    for (const each of [workspace, fresh]) {
      writeFileSync(each.configFile, configLines('./bento', release, state));
    }
  };
  const revisionOf = (hex: string) => {
    const real = synthesizeTarget(
      synthesizeAwsEc2Gpu,
      loadTestConfig(configLines('./iris', release, [])),
      imageReference(REPOSITORY, digest(hex), `bento-${hex}`),
    );
    return {
      real,
      name: (real as { variable: { bentoctl_traffic: { default: { revision: string }[] } } })
        .variable.bentoctl_traffic.default[0]!.revision,
    };
  };
  const revision = (hex: string) => revisionOf(hex).name;
  /** The stand-in of the stack generate would write for image `hex`. */
  const deploy = (hex: string) => {
    workspace.writeBuildRecord(image(hex), `bento-${hex}`);
    const stack = standInStack(revisionOf(hex).real, urls, statePath);
    writeStackJson(workspace, stack);
  };
  const fleet = (): Fleet =>
    (
      JSON.parse(readFileSync(statePath, 'utf8')) as {
        outputs: { fleet: { value: Fleet } };
      }
    ).outputs.fleet.value;
  const apply = async () => {
    const result = await cli(workspace, 'apply', '--no-generate', '--auto-approve');
    expect(result.status, result.stderr).toBe(0);
    return result;
  };

  beforeAll(async () => {
    assertCliBuilt();
    folders = createSharedStateWorkspaces('ec2-traffic');
    ({ statePath, workspace, fresh } = folders);
    writeConfigs();
    workspace.writeStack({ image: image('a'), replicas: 1, revision: 'x', endpoint: '' });
    main = await startStandIn(() => served(stableHex));
    candidateServer = await startStandIn(() => served(newestHex));
    urls.endpoint = main.endpoint;
    urls.candidate = candidateServer.endpoint;
  });
  afterAll(async () => {
    await main?.close();
    await candidateServer?.close();
    folders?.remove();
  });

  it('GIVEN the first apply under canary THEN one group of min_instances takes all requests', async () => {
    deploy('a');
    await apply();

    expect(fleet()).toEqual({
      groups: { [revision('a')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 } },
      weights: { [revision('a')]: 100 },
      candidate: revision('a'),
    });
  });

  it('GIVEN a new revision WHEN applied THEN its own group of 1 instance gets 10 % beside the stable 2, and the candidate port goes to it', async () => {
    deploy('b');
    newestHex = 'b';
    const result = await apply();

    expect(result.stdout).toContain(`${urls.candidate}/readyz is ready and serves bento bento-b`);
    // No tag on EC2: the candidate's own URL is the load balancer's candidate port.
    expect(result.stderr).toContain(
      `Traffic after this plan: ${revision('a')} 90 %, ${revision('b')} 10 % (own URL: load balancer port 8080)`,
    );
    expect(fleet()).toEqual({
      groups: {
        [revision('a')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 },
        [revision('b')]: { min_size: 1, max_size: 4, wait_for_elb_capacity: 1 },
      },
      weights: { [revision('a')]: 90, [revision('b')]: 10 },
      candidate: revision('b'),
    });
    const shown = await cli(fresh, 'release', 'status', '--json');
    expect(shown.status, shown.stderr).toBe(0);
    expect(
      (JSON.parse(shown.stdout) as { shares: { revision: string; percent: number }[] }).shares.map(
        (share) => [share.revision, share.percent],
      ),
    ).toEqual([
      [revision('a'), 90],
      [revision('b'), 10],
    ]);
    const text = await cli(fresh, 'release', 'status');
    expect(text.stdout).toMatch(
      new RegExp(
        `^revision +${revision('b')} 10 % candidate \\(own URL: load balancer port 8080\\): release 2 `,
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      new RegExp(`^revision +${revision('a')} 90 % stable: release 1 `, 'm'),
    );
    expect(text.stdout).not.toContain('tag');
    await expectNoChanges(workspace);
  });

  it('GIVEN the canary WHEN promoted THEN its group grows to min_instances, takes every request, and the stable group goes', async () => {
    stableHex = 'b';
    const result = await cli(
      workspace,
      'release',
      'promote',
      '--no-generate',
      '--auto-approve',
      '--skip-bake',
    );

    expect(result.status, result.stderr).toBe(0);
    // Settled: no candidate runs, so no revision is said to have a URL of its own.
    expect(result.stderr).toMatch(
      new RegExp(`^Traffic after this plan: ${revision('b')} 100 %$`, 'm'),
    );
    expect(fleet()).toEqual({
      groups: { [revision('b')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 } },
      weights: { [revision('b')]: 100 },
      candidate: revision('b'),
    });
  });

  it('GIVEN a new canary WHEN aborted THEN the stable group gets everything back and the candidate group keeps no instance', async () => {
    deploy('c');
    newestHex = 'c';
    await apply();
    const result = await cli(workspace, 'release', 'abort', '--no-generate', '--auto-approve');

    expect(result.status, result.stderr).toBe(0);
    expect(fleet()).toEqual({
      groups: {
        [revision('b')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 },
        [revision('c')]: { min_size: 0, max_size: 0, wait_for_elb_capacity: 0 },
      },
      weights: { [revision('b')]: 100, [revision('c')]: 0 },
      candidate: revision('c'),
    });
    await expectNoChanges(workspace);
  });

  it('GIVEN blue-green WHEN a new revision is applied THEN its group is full size at weight 0 until promoted', async () => {
    release = '  strategy: blue-green';
    writeConfigs();
    // Back to the stable revision first: the aborted candidate is dropped.
    deploy('b');
    newestHex = 'b';
    await apply();
    deploy('d');
    newestHex = 'd';
    await apply();

    expect(fleet()).toEqual({
      groups: {
        [revision('b')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 },
        [revision('d')]: { min_size: 2, max_size: 4, wait_for_elb_capacity: 2 },
      },
      weights: { [revision('b')]: 100, [revision('d')]: 0 },
      candidate: revision('d'),
    });

    stableHex = 'd';
    const promoted = await cli(workspace, 'release', 'promote', '--no-generate', '--auto-approve');
    expect(promoted.status, promoted.stderr).toBe(0);
    expect(fleet().weights).toEqual({ [revision('d')]: 100 });
  }, 120_000);
});
