import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `given`, if it is close enough to be a likely typo: within a third
 * of the word's length (at least 2 edits), differing only in case or `-` vs `_`, or the one
 * candidate that contains what was given (`cloud-run` for `google-cloud-run`).
 */
export function closestMatch(given: string, candidates: Iterable<string>): string | undefined {
  const normalised = normalise(given);
  const list = [...candidates];
  const region = closestInContinent(given, list);
  if (region !== undefined) return region;
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

/**
 * Region names say their continent in each cloud's own words (`eu-west-1`, `europe-west1`,
 * `westeurope`), so plain edit distance suggests `me-west1` for `eu-west-1` on Google Cloud.
 * When the given value starts with a continent word and some candidates name that continent,
 * the closest of those is the suggestion, compared with the cloud's word put in.
 */
const CONTINENT_WORDS: readonly (readonly string[])[] = [
  ['eu', 'europe'],
  ['us', 'northamerica', 'america'],
  ['ca', 'canada', 'northamerica'],
  ['ap', 'asia', 'australia', 'japan', 'korea', 'india'],
  ['sa', 'southamerica', 'brazil'],
  ['me', 'middleeast', 'israel', 'qatar', 'uae'],
  ['af', 'africa', 'southafrica'],
];

function closestInContinent(given: string, candidates: readonly string[]): string | undefined {
  const first = given.toLowerCase().split(/[-_\s]/)[0] ?? '';
  const words = CONTINENT_WORDS.find((family) => family.includes(first));
  if (words === undefined || first === given.toLowerCase()) return undefined;
  const rest = normalise(given).slice(first.length);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const name = normalise(candidate);
    for (const word of words) {
      if (!name.includes(word)) continue;
      // The continent word where the candidate has it: `eu-west-1` vs `westeurope` compares
      // `west1` + `europe` placement by distance on the whole name.
      const spelled = name.startsWith(word)
        ? `${word}${rest}`
        : `${rest.replace(/\d+$/, '')}${word}`;
      const d = distance(spelled, name);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return best;
}

function normalise(value: string): string {
  return value.toLowerCase().replace(/[-_\s]/g, '');
}
