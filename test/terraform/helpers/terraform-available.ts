/**
 * Integration suites run the real terraform binary. In CI a missing binary is a failure (the
 * suite must not pass by skipping); elsewhere the suite is skipped with a loud notice.
 */
import { discoverTerraform, type TerraformBinary } from '../../../src/terraform/binary.js';

export async function findTerraformForTests(): Promise<TerraformBinary | undefined> {
  try {
    return await discoverTerraform();
  } catch (cause) {
    if (process.env.CI === 'true') {
      throw new Error(
        `terraform is required in CI for the terraform integration tests: ${String(cause)}`,
      );
    }
    console.warn(`\n*** SKIPPING terraform integration tests: ${(cause as Error).message} ***\n`);
    return undefined;
  }
}
