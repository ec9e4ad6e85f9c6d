/**
 * Every command the CLI has is started as a user would start it by at least one test. The
 * commands whose other spawning suites need the Docker engine or a registry (build, run,
 * promote) are started here too, on paths that need neither, so every run of the unit suite
 * spawns them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/run-cli.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, unknown>;
};

/** The test sources, without this file (which names every command). */
function testSources(): { file: string; text: string }[] {
  const dir = join(repoRoot, 'test');
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.endsWith('every-command.test.ts'))
    .map((file) => ({ file: relative(repoRoot, file), text: readFileSync(file, 'utf8') }));
}

/** `['targets', 'show'` or `cli(dir, 'releases'`: the command's words as the argv's first ones. */
function spawnPattern(id: string): RegExp {
  const words = id.split(':').map((word) => `'${word}'`);
  return new RegExp(`(?:\\[|\\(|,)\\s*${words.join(',\\s*')}\\s*[,\\]]`);
}

const ECS = join(repoRoot, 'examples', 'aws-ecs', 'deployment_config.yaml');
const RUN = join(repoRoot, 'examples', 'google-cloud-run', 'deployment_config.yaml');
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('every command is spawned by a test', () => {
  it('GIVEN the manifest THEN each command appears as the argv of a CLI call in some test', () => {
    const sources = testSources();
    const unspawned = Object.keys(manifest.commands).filter(
      (id) => !sources.some(({ text }) => spawnPattern(id).test(text)),
    );
    expect(unspawned).toEqual([]);
  });

  it('GIVEN build --dry-run THEN it prints the Dockerfile and destination without an engine', async () => {
    const result = await runCli(['build', '--dry-run', '-f', ECS, '--json'], {
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });

    expect(result.status, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { image: string; dockerfile: string; pushTo: string };
    expect(plan.image).toMatch(/^bentoctl\/iris-ecs:[0-9a-f]{16}$/);
    expect(plan.dockerfile).toContain('FROM ');
    expect(plan.pushTo).toContain('.dkr.ecr.us-east-1.amazonaws.com/');
  });

  it('GIVEN run without a Docker engine THEN it exits 3 with ENGINE_UNREACHABLE naming DOCKER_HOST', async () => {
    const result = await runCli(['run', '-f', ECS], {
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });

    expect(result.status, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /^Error \[ENGINE_UNREACHABLE\]: .*unix:\/\/\/nonexistent\/docker\.sock/,
    );
    expect(result.stderr).toContain('Fix: ');
  });

  it('GIVEN promote from a deployment that never pushed THEN it exits 2 with IMAGE_NOT_RECORDED in --json', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bctl-promote-'));
    folders.push(cwd);
    const result = await runCli(['promote', '--from', ECS, '--to', RUN, '--json'], { cwd });

    expect(result.status, result.stdout).toBe(2);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('IMAGE_NOT_RECORDED');
    expect(error.message).toContain('iris-ecs');
  });
});
