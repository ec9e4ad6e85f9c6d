/**
 * JSON with object keys sorted at every level, 2-space indent and a final newline: the same
 * value always gives the same bytes, whatever order the keys were added in.
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortKeys(child)]));
}

/** The same sorted-key JSON on one line, for JSON documents held in a string attribute. */
export function stableJsonLine(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
