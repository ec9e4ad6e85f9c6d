import { describe, expect, it } from 'vitest';
import { renderConfig } from '../../src/config/render-config.js';
import { getTarget } from '../../src/targets/registry.js';

const render = (target: 'aws-ecs' | 'google-cloud-run') =>
  renderConfig({ name: 'iris', bento: './iris', target: getTarget(target), spec: {} });

describe('renderConfig', () => {
  it('GIVEN a target that carries the gRPC port THEN the runtime comment shows runtime.grpc with its defaults', () => {
    expect(render('aws-ecs')).toContain(
      '#   grpc: { enabled: false, port: 3001 } # gRPC too; `bentoctl targets show aws-ecs` says how\n',
    );
  });

  it('GIVEN google-cloud-run, which cannot, THEN runtime.grpc is not offered', () => {
    expect(render('google-cloud-run')).not.toContain('grpc');
  });
});
