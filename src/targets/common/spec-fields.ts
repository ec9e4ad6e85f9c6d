/**
 * Spec fields that several targets share with the same meaning, so that `min_instances` or
 * `allowed_cidrs` read the same on every cloud.
 */
import { z } from 'zod';
import { cidrSchema } from './cidr.js';
import type { SpecIssue } from '../target.js';

/** `min_instances` / `max_instances` with per-target defaults. */
export function instanceBounds(defaults: {
  min: number;
  max: number;
  floor: number;
  ceiling: number;
}) {
  return {
    min_instances: z
      .number()
      .int()
      .min(defaults.floor)
      .max(defaults.ceiling)
      .default(defaults.min)
      .meta({
        description: `Fewest instances kept running${defaults.floor === 0 ? ' (0 scales to zero)' : ''}.`,
      }),
    max_instances: z
      .number()
      .int()
      .min(1)
      .max(defaults.ceiling)
      .default(defaults.max)
      .meta({ description: 'Most instances autoscaling may start.' }),
  };
}

/** Checks `min_instances <= max_instances`, which no single-field schema can. */
export function checkInstanceBounds(spec: {
  min_instances: number;
  max_instances: number;
}): SpecIssue[] {
  if (spec.min_instances <= spec.max_instances) return [];
  return [
    {
      path: ['min_instances'],
      // A fix in words, not a "did you mean": either bound may be the one that is wrong.
      message: `min_instances (${spec.min_instances}) is larger than max_instances (${spec.max_instances}): lower min_instances to ${spec.max_instances} or less, or raise max_instances to ${spec.min_instances} or more`,
    },
  ];
}

/**
 * Who may reach the endpoint. Empty means "only from inside the network": bentoctl never opens
 * an endpoint to the world unless `0.0.0.0/0` is written down.
 */
export const allowedCidrsField = z.array(cidrSchema).default([]).meta({
  description:
    'CIDR blocks allowed to reach the endpoint; empty = only from inside the network. Write 0.0.0.0/0 to open it to the internet.',
});

/** Whether the endpoint gets a public address at all. */
export const publicField = z
  .boolean()
  .default(false)
  .meta({ description: 'Give the endpoint a public address (still limited by allowed_cidrs).' });

/** Extra tags/labels added to every resource that takes them. */
export const tagsField = z
  .record(z.string(), z.string())
  .default({})
  .meta({ description: 'Extra tags added to every taggable resource.' });

/** A public endpoint with no allowed sources reaches nobody; say so before a deploy does. */
export function checkPublicNeedsCidrs(spec: {
  public: boolean;
  allowed_cidrs: readonly string[];
}): SpecIssue[] {
  if (!spec.public || spec.allowed_cidrs.length > 0) return [];
  return [
    {
      path: ['allowed_cidrs'],
      message:
        'public is true but allowed_cidrs is empty, so nobody could reach the endpoint; list the client CIDR blocks (0.0.0.0/0 for everyone)',
    },
  ];
}
