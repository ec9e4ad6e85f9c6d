import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/builders/progress.js';

function capture(interactive: boolean) {
  let out = '';
  const reporter = progressReporter({ interactive, write: (text) => (out += text) });
  return { reporter, output: () => out };
}

describe('progressReporter', () => {
  it('GIVEN CI (not interactive) THEN steps and final layer statuses only, no progress bars', () => {
    const { reporter, output } = capture(false);
    reporter.event('build', { stream: 'Step 2/9 : COPY runtime-layer/ /\n' });
    reporter.event('build', { stream: ' ---> 06d43152191e\n' });
    reporter.event('push', {
      status: 'Pushing',
      id: 'aaaaaaaaaaaa',
      progress: '[=====>   ] 10MB/20MB',
    });
    reporter.event('push', { status: 'Pushed', id: 'aaaaaaaaaaaa' });
    reporter.event('push', { status: 'v1: digest: sha256:abc size: 1' });
    reporter.finish();
    expect(output()).toBe(
      '  Step 2/9 : COPY runtime-layer/ /\n  push aaaaaaaaaaaa: Pushed\n  v1: digest: sha256:abc size: 1\n',
    );
  });

  it('GIVEN a terminal THEN layer progress redraws one line and is cleared at the end', () => {
    const { reporter, output } = capture(true);
    reporter.event('push', { status: 'Pushing', id: 'aaaaaaaaaaaa', progress: '[==>  ] 1MB/9MB' });
    reporter.event('push', { status: 'Pushed', id: 'aaaaaaaaaaaa' });
    reporter.finish();
    expect(output()).toBe(
      '  push: 0/1 layers done; aaaaaaaaaaaa Pushing [==>  ] 1MB/9MB' +
        '\r\u001b[K  push: 1/1 layers done; aaaaaaaaaaaa Pushed' +
        '\r\u001b[K',
    );
  });
});
