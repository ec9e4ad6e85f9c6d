import { createHash } from 'node:crypto';

/**
 * Fits a derived resource name into a cloud's length limit. Names that fit are kept as they
 * are; longer ones are cut and end in a short hash of the full name, so two long deployment
 * names that share a prefix still get different resource names.
 */
export function fitName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const head = name.slice(0, maxLength - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}
