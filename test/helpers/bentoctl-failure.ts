import { BentoctlError } from '../../src/errors/index.js';

/** The BentoctlError `promise` rejects with; anything else (or no rejection) fails the test. */
export async function bentoctlFailure(promise: Promise<unknown>): Promise<BentoctlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BentoctlError) return error;
    throw error;
  }
  throw new Error('expected a BentoctlError');
}
