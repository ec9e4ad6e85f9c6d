import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkStackVersion,
  compareVersions,
  parseVersionOutput,
} from '../../src/terraform/binary.js';

describe('terraform version check', () => {
  it('GIVEN versions WHEN compared THEN numeric parts decide, not string order', () => {
    expect(compareVersions('1.11.4', '1.5.0')).toBeGreaterThan(0);
    expect(compareVersions('1.4.7', '1.5.0')).toBeLessThan(0);
    expect(compareVersions('1.5.0', '1.5.0')).toBe(0);
    expect(compareVersions('1.10.0-beta1', '1.5.0')).toBeGreaterThan(0);
  });

  it('GIVEN `terraform version -json` output THEN the version is read from it', () => {
    expect(parseVersionOutput('{"terraform_version":"1.11.4","platform":"linux_amd64"}')).toBe(
      '1.11.4',
    );
  });

  it('GIVEN the plain-text output of a pre-0.13 terraform THEN it is refused clearly', () => {
    expect(() => parseVersionOutput('Terraform v0.12.31\n')).toThrow(
      /not JSON \(Terraform older than 0.13\?\)/,
    );
  });

  describe('GIVEN a stack whose S3 backend uses a lock file (required_version >= 1.10.0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bentoctl-version-'));
    const stackFile = join(dir, 'main.tf.json');
    writeFileSync(
      stackFile,
      JSON.stringify({
        terraform: {
          required_version: '>= 1.10.0',
          backend: { s3: { bucket: 'b', key: 'k', region: 'us-east-1', use_lockfile: true } },
        },
      }),
    );

    it('WHEN terraform 1.9 runs it THEN it is refused, naming the lock file and the way out', () => {
      expect(() =>
        checkStackVersion({ path: '/usr/bin/terraform', version: '1.9.8' }, stackFile),
      ).toThrow(
        expect.objectContaining({
          code: 'TERRAFORM_TOO_OLD',
          message: expect.stringMatching(/1\.9\.8.*use_lockfile.*needs 1\.10\.0 or newer/),
        }),
      );
    });

    it('WHEN terraform 1.10 or newer runs it THEN it passes', () => {
      expect(() =>
        checkStackVersion({ path: '/usr/bin/terraform', version: '1.10.0' }, stackFile),
      ).not.toThrow();
    });
  });
});
