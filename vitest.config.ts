import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real engines (dockerd, registry, terraform); give them room.
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // Two cores: run files in parallel but not more than the machine can hold.
    maxWorkers: 2,
  },
});
