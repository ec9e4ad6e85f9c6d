import { describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { entryFromLine } from '../../src/observe/log-entry.js';
import { formatLogEntry, jsonLogEntry, summarizeEntries } from '../../src/observe/render-log.js';
import { parseSince } from '../../src/observe/since.js';
import { latestEvents } from '../../src/observe/live-status.js';

const origin = { id: 'e1', timeMs: 0, instance: 'task-1', revision: 'iris-prod:7' };
const REQUEST = JSON.stringify({
  time: '2026-12-01T08:00:00.000Z',
  severity: 'ERROR',
  pid: 7,
  message: 'request',
  requestId: 'req-1',
  method: 'POST',
  path: '/classify',
  api: 'classify',
  status: 500,
  code: 'INFERENCE_FAILED',
  error: 'onnxruntime threw',
  latencyMs: 12.5,
});

describe('log lines', () => {
  it('GIVEN a runtime request line WHEN rendered THEN time, severity, request id, status, latency and the failure read in order, marked as an error', () => {
    const entry = entryFromLine(REQUEST, origin);

    expect(formatLogEntry(entry, { color: false })).toBe(
      '! 2026-12-01T08:00:00.000Z  ERROR  req=req-1  500  12.5ms  POST /classify INFERENCE_FAILED: onnxruntime threw  api=classify  [task-1]',
    );
    const colored = formatLogEntry(entry, { color: true });
    expect(colored.startsWith('\u001b[31m! ')).toBe(true);
    expect(colored.endsWith('\u001b[0m')).toBe(true);
  });

  it('GIVEN plain text WHEN rendered THEN it is kept whole with no severity', () => {
    const entry = entryFromLine('Error: boom  \n', {
      ...origin,
      timeMs: Date.parse('2026-12-01T08:00:01Z'),
    });

    expect(formatLogEntry(entry, { color: false })).toBe(
      '  2026-12-01T08:00:01.000Z  -      Error: boom  [task-1]',
    );
  });

  it('GIVEN --json WHEN rendered THEN the runtime object is kept and the cloud context added', () => {
    const parsed = JSON.parse(jsonLogEntry(entryFromLine(REQUEST, origin))) as Record<
      string,
      unknown
    >;

    expect(parsed).toMatchObject({
      severity: 'ERROR',
      requestId: 'req-1',
      latencyMs: 12.5,
      cloud: { id: 'e1', instance: 'task-1', revision: 'iris-prod:7' },
    });
  });

  it('GIVEN entries WHEN summarized THEN errors and warnings are counted and the first error dated', () => {
    const warn = entryFromLine(
      '{"severity":"WARNING","message":"w","time":"2026-12-01T07:59:00.000Z"}',
      origin,
    );

    expect(summarizeEntries([warn, entryFromLine(REQUEST, origin)])).toBe(
      '2 lines, 1 errors, 1 warnings; first error at 2026-12-01T08:00:00.000Z',
    );
  });
});

describe('--since', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('GIVEN durations and timestamps THEN each gives its start', () => {
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('2026-12-01T08:00:00Z', now)).toBe(Date.parse('2026-12-01T08:00:00Z'));
    expect(parseSince('2026-12-01T09:00:00+01:00', now)).toBe(Date.parse('2026-12-01T08:00:00Z'));
  });

  it.each(['10', 'ten minutes', '2026-12-01T08:00:00', '2027-01-01T00:00:00Z'])(
    'GIVEN %s THEN FLAG_INVALID',
    (value) => {
      const error = (() => {
        try {
          return parseSince(value, now);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(BentoctlError);
      expect((error as BentoctlError).code).toBe('FLAG_INVALID');
    },
  );
});

describe('events', () => {
  it('GIVEN old failures and newer infos THEN the newest ten are kept, failures first', () => {
    const events = Array.from({ length: 12 }, (_, i) => ({
      time: `2026-12-01T08:${String(i).padStart(2, '0')}:00Z`,
      severity: i === 5 || i === 0 ? ('error' as const) : ('info' as const),
      message: String(i),
    }));

    const kept = latestEvents(events).map((event) => event.message);

    expect(kept).toEqual(['5', '11', '10', '9', '8', '7', '6', '4', '3', '2']);
  });
});
