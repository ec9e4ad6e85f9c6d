import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../src/config/suggest.js';
import { AWS_REGIONS } from '../../src/targets/clouds/aws-regions.js';
import { AZURE_LOCATIONS } from '../../src/targets/clouds/azure-locations.js';
import { GCP_REGIONS } from '../../src/targets/clouds/gcp-regions.js';

describe('region suggestions stay on the continent written', () => {
  it.each([
    // Edit distance alone gave me-west1 (Israel) for an AWS-style European region.
    ['eu-west-1', GCP_REGIONS, 'europe-west1'],
    ['eu-central-1', GCP_REGIONS, 'europe-central2'],
    ['ap-southeast-1', GCP_REGIONS, 'asia-southeast1'],
    ['us-east1', AWS_REGIONS, 'us-east-1'],
    ['europe-west1', AWS_REGIONS, 'eu-west-1'],
    ['asia-northeast1', AWS_REGIONS, 'ap-northeast-1'],
    ['eu-west-1', AZURE_LOCATIONS, 'westeurope'],
  ])('GIVEN %s among the regions of a cloud THEN %s is suggested', (given, regions, expected) => {
    expect(closestMatch(given, regions as readonly string[])).toBe(expected);
  });

  it('GIVEN a word that is not a region THEN plain typo matching still applies', () => {
    expect(closestMatch('googel-cloud-run', ['aws-ecs', 'google-cloud-run'])).toBe(
      'google-cloud-run',
    );
    expect(closestMatch('us', ['us-east-1', 'eu-west-1'])).toBeUndefined();
  });
});
