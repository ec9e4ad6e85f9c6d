import { describe, expect, it } from 'vitest';
import { textLogLine, textLogWriter } from '../../src/cli/log-text.js';

describe('runtime log lines as text', () => {
  it('GIVEN a JSON log line THEN time, severity and message lead and the rest follows as key=value', () => {
    const line = JSON.stringify({
      time: '2026-12-01T09:15:02.123Z',
      severity: 'WARNING',
      pid: 42,
      message: 'request failed',
      requestId: 'r1',
      status: 400,
      error: { code: 'BAD_JSON' },
    });
    expect(textLogLine(line)).toBe(
      '09:15:02.123 WARNING request failed requestId=r1 status=400 error={"code":"BAD_JSON"}',
    );
  });

  it('GIVEN a chunk of several lines, or text that is not JSON THEN each line prints, unchanged when not JSON', () => {
    const printed: string[] = [];
    textLogWriter((line) => printed.push(line))(
      `${JSON.stringify({ time: '2026-12-01T09:15:02.123Z', severity: 'INFO', message: 'ready' })}\nplain text\n`,
    );
    expect(printed).toEqual(['09:15:02.123 INFO    ready', 'plain text']);
  });
});
