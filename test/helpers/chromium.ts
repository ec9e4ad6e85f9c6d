/**
 * Headless Chromium for browser tests: Debian's `chromium`, driven by playwright-core (which
 * downloads no browser of its own). When it is missing the suite is skipped with a banner; under
 * CI=true that is a failure instead (the same rule as the engines, test/helpers/daemon.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { skipReasonOrThrow } from './daemon.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Skip reason for browser suites; undefined when Chromium is there. Throws under CI=true. */
export function chromiumSkipReason(): string | undefined {
  return skipReasonOrThrow(
    'browser tests (headless chromium)',
    existsSync(CHROMIUM_PATH) ? [] : [`${CHROMIUM_PATH} (Debian package chromium)`],
  );
}

/** A browser with a fresh profile, and a close() that removes the profile too. */
export async function launchChromium(): Promise<{
  readonly context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'bentoctl-chromium-'));
  // A persistent context is how playwright takes a profile folder (it refuses --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
