import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersionOutput } from '../../src/terraform/binary.js';

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
});
