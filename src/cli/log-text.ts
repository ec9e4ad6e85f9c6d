/**
 * The runtime's JSON log lines as text for a person at a terminal: `serve` runs the same
 * runtime as the images, whose one-object-per-line logs are for machines (Cloud Logging and
 * the like). Lines that are not JSON pass through unchanged.
 */

/** Fields shown in the line itself, not repeated as key=value. */
const SHOWN = new Set(['time', 'severity', 'level', 'message', 'msg', 'pid']);

/** `12:03:04.512 INFO  request  requestId=7f2 status=200 ms=1.4`, from one JSON log line. */
export function textLogLine(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(jsonLine);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return jsonLine;
    record = parsed as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const severity = String(record.severity ?? record.level ?? '').toUpperCase();
  const message = String(record.message ?? record.msg ?? '');
  const details = Object.entries(record)
    .filter(([key]) => !SHOWN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, severity.padEnd(7), message, ...details].filter((part) => part !== '').join(' ');
}

/** A `write` for the runtime's logger that prints each line as text through `print`. */
export function textLogWriter(print: (line: string) => void): (chunk: string) => void {
  return (chunk) => {
    for (const line of chunk.split('\n')) if (line !== '') print(textLogLine(line));
  };
}
