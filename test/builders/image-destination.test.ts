/**
 * Where `build` says the image goes before anything is pushed: `build --json` without --push
 * reports it, so a pull-request plan names a real repository and tag, never `null:null`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageDestination, knownRepository } from '../../src/builders/image-destination.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bentoctl-destination-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, target: string, spec: string, extra = '') {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `api_version: v1\nname: ${name}\nbento: ${join(repoRoot, 'examples', 'iris')}\ntarget: ${target}\nspec: ${spec}\n${extra}`,
  );
  return loadConfig(file);
}

describe('knownRepository', () => {
  it('GIVEN --registry WHEN not pushed THEN the repository is <registry>/<name>', () => {
    const ecs = config('iris-ecs', 'aws-ecs', '{ region: us-east-1 }');
    expect(knownRepository(imageDestination(ecs, 'registry.example.com:5000/ml'))).toBe(
      'registry.example.com:5000/ml/iris-ecs',
    );
  });

  it('GIVEN image.repository WHEN not pushed THEN it is that repository', () => {
    const ecs = config(
      'iris-own',
      'aws-ecs',
      '{ region: us-east-1 }',
      'image: { repository: 123456789012.dkr.ecr.us-east-1.amazonaws.com/shared }\n',
    );
    expect(knownRepository(imageDestination(ecs))).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/shared',
    );
  });

  it("GIVEN google-cloud-run's default WHEN not pushed THEN the Artifact Registry repository", () => {
    const run = config(
      'iris-run',
      'google-cloud-run',
      '{ project: my-ml-project, region: europe-west4 }',
    );
    expect(knownRepository(imageDestination(run))).toMatch(
      /^europe-west4-docker\.pkg\.dev\/my-ml-project\/[a-z0-9-]+\/iris-run$/,
    );
  });

  it("GIVEN aws-ecs's default ECR repository WHEN not pushed THEN unknown: the account comes from the login", () => {
    const ecs = config('iris-ecr', 'aws-ecs', '{ region: us-east-1 }');
    expect(knownRepository(imageDestination(ecs))).toBeNull();
  });
});
