import { describe, expect, it } from 'vitest';
import { renderDockerfile, renderLabels } from '../../src/builders/dockerfile.js';

const labels = {
  'io.bentoctl.bento.name': 'iris_classifier',
  'io.bentoctl.bento.version': 'abc123',
};

describe('renderDockerfile', () => {
  it('GIVEN the CPU template WHEN rendered THEN base, runtime, bento layers in that order and the image contract', async () => {
    const text = renderDockerfile({
      template: 'Dockerfile',
      baseImage: 'node:20-bookworm-slim',
      nodeImage: 'unused',
      port: 8080,
      labels,
    });
    const instructions = text.split('\n').filter((line) => /^[A-Z]+ /.test(line));
    expect(instructions[0]).toBe('FROM node:20-bookworm-slim');
    // Only COPY makes layers here: the runtime one must come before the bento one.
    expect(
      instructions.filter(
        (line) => line.startsWith('COPY') || line.startsWith('RUN') || line.startsWith('ADD'),
      ),
    ).toEqual(['COPY runtime-layer/ /', 'COPY bento-layer/ /']);
    expect(text).toContain('ORT_DISABLE_TELEMETRY=1');
    expect(text).toContain('PORT=8080');
    expect(text).toMatch(/^USER 1000:1000$/m);
    expect(text).toMatch(/^EXPOSE 8080$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/readyz.*"\]$/m);
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/runtime\/main.js"\]$/m);
    expect(text).not.toMatch(/\{\{/);
    await expect(text).toMatchFileSnapshot('__snapshots__/Dockerfile.cpu');
  });

  it('GIVEN a gRPC port WHEN rendered THEN both templates expose it after the HTTP port', () => {
    for (const template of ['Dockerfile', 'Dockerfile.cuda'] as const) {
      const text = renderDockerfile({
        template,
        baseImage: 'node:20-bookworm-slim',
        nodeImage: 'node:20-bookworm-slim',
        port: 3000,
        grpcPort: 50051,
        labels,
      });
      expect(text, template).toMatch(/^EXPOSE 3000 50051$/m);
      expect(text, template).toContain('PORT=3000');
    }
  });

  it('GIVEN the CUDA template WHEN rendered THEN node comes from the node image before the runtime layer', () => {
    const text = renderDockerfile({
      template: 'Dockerfile.cuda',
      baseImage: 'nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04',
      nodeImage: 'node:20-bookworm-slim',
      port: 3000,
      labels,
    });
    const froms = text.split('\n').filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual([
      'FROM node:20-bookworm-slim AS node',
      'FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04',
    ]);
    const copies = text.split('\n').filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual([
      'COPY --from=node /usr/local/bin/node /usr/local/bin/node',
      'COPY runtime-layer/ /',
      'COPY bento-layer/ /',
    ]);
  });
});

describe('renderLabels', () => {
  it('GIVEN values with quotes, $ and line breaks WHEN rendered THEN they stay one literal word each', () => {
    const text = renderLabels({ b: 'say "hi" to $HOME\nnow', a: 'C:\\models' });
    expect(text).toBe('LABEL "a"="C:\\\\models" \\\n      "b"="say \\"hi\\" to \\$HOME now"');
  });

  it('GIVEN no labels THEN no LABEL instruction', () => {
    expect(renderLabels({})).toBe('');
  });
});
