import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `given`, if it is close enough to be a likely typo: within a third
 * of the word's length (at least 2 edits), differing only in case or `-` vs `_`, or the one
 * candidate that contains what was given (`cloud-run` for `google-cloud-run`).
 */
export function closestMatch(given: string, candidates: Iterable<string>): string | undefined {
  const normalised = normalise(given);
  const list = [...candidates];
  const containing = list.filter((candidate) => normalise(candidate).includes(normalised));
  if (normalised.length >= 3 && containing.length === 1) return containing[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    if (normalise(candidate) === normalised) return candidate;
    const d = distance(given.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(given.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** The numerically closest candidate, for numeric enums such as Fargate CPU sizes. */
export function closestNumber(given: number, candidates: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const candidate of candidates) {
    if (best === undefined || Math.abs(candidate - given) < Math.abs(best - given))
      best = candidate;
  }
  return best;
}

function normalise(value: string): string {
  return value.toLowerCase().replace(/[-_\s]/g, '');
}
