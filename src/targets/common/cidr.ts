import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';

/** True for `a.b.c.d/n` (n <= 32) and IPv6 `addr/n` (n <= 128). */
export function isCidr(value: string): boolean {
  const slash = value.lastIndexOf('/');
  if (slash <= 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  if (isIPv6(address)) return bits <= 128;
  return false;
}

/** A CIDR block such as `10.0.0.0/16` or `2001:db8::/32`. */
export const cidrSchema = z
  .string()
  .refine(isCidr, { message: 'must be a CIDR block such as 10.0.0.0/16 or 203.0.113.7/32' })
  .meta({ format: 'cidr' });
