/** `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`) or an ISO 8601 timestamp. */
import { errors } from '../errors/index.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
/** What `--since` accepts, for messages and help. */
export const SINCE_FORMS =
  'a duration such as 30s, 10m, 2h or 1d, or a timestamp such as 2026-12-01T08:00:00Z';

/** Milliseconds since the epoch that `value` means at `nowMs`. */
export function parseSince(value: string, nowMs: number = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (duration !== null) {
    return nowMs - Math.round(Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] ?? 1000));
  }
  // A date alone or a full timestamp; a time without a zone would depend on the machine's.
  if (
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim())
  ) {
    const time = Date.parse(value.trim());
    if (!Number.isNaN(time)) {
      if (time > nowMs)
        throw errors.flagInvalid('since', value, `a time in the past (${SINCE_FORMS})`);
      return time;
    }
  }
  throw errors.flagInvalid('since', value, SINCE_FORMS);
}
