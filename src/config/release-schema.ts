/**
 * The `release:` section: how a new revision takes traffic, the same words on every target.
 * `rolling` (the default) replaces the old revision as each platform rolls; `canary` sends a
 * share of the traffic to the new revision for a bake time, then all of it (or back); `blue-green`
 * sends it nothing until it is healthy and approved. Each target says which it can do
 * (`TargetDefinition.releaseStrategies`) and on which mechanism of its cloud.
 */
import { z } from 'zod';

export const RELEASE_STRATEGIES = ['rolling', 'canary', 'blue-green'] as const;
export type ReleaseStrategy = (typeof RELEASE_STRATEGIES)[number];

/** @default 10 (% of requests to the new revision during a canary) */
export const DEFAULT_CANARY_PERCENT = 10;
/** @default 15 (minutes a canary bakes before all traffic may move) */
export const DEFAULT_BAKE_MINUTES = 15;
/** ECS allows at most 1440 minutes (a day) of bake time; the same bound holds everywhere. */
const MAX_BAKE_MINUTES = 1440;

const bakeMinutes = (description: string, fallback: number) =>
  z.number().int().min(0).max(MAX_BAKE_MINUTES).default(fallback).meta({ description });

export const releaseSchema = z
  .discriminatedUnion('strategy', [
    z.strictObject({
      strategy: z.literal('rolling').meta({
        description: "rolling: the platform replaces the old revision as it rolls (today's way).",
      }),
    }),
    z.strictObject({
      strategy: z.literal('canary').meta({
        description:
          'canary: percent of the traffic to the new revision for bake_minutes, then all of it, or back.',
      }),
      percent: z
        .number()
        .int()
        .min(1)
        .max(99)
        .default(DEFAULT_CANARY_PERCENT)
        .meta({
          description: `Share of the requests the new revision gets during the bake, 1-99. @default ${DEFAULT_CANARY_PERCENT}`,
        }),
      bake_minutes: bakeMinutes(
        `Minutes the canary serves its share before all traffic moves (0-${MAX_BAKE_MINUTES}). @default ${DEFAULT_BAKE_MINUTES}`,
        DEFAULT_BAKE_MINUTES,
      ),
    }),
    z.strictObject({
      strategy: z.literal('blue-green').meta({
        description:
          'blue-green: the new revision gets no traffic until it is healthy and approved, then all of it.',
      }),
      bake_minutes: bakeMinutes(
        `Minutes the old revision stays up after the switch, for an instant way back (0-${MAX_BAKE_MINUTES}; aws-ecs). @default 0`,
        0,
      ),
    }),
  ])
  .default({ strategy: 'rolling' });

export type ReleaseConfig = z.output<typeof releaseSchema>;

/** "10 % to the new revision for 15 min, then 100 %": one line for plans and `release status`. */
export function describeRelease(release: ReleaseConfig, subject = 'the new revision'): string {
  switch (release.strategy) {
    case 'rolling':
      return `rolling: ${subject} replaces the old one as the platform rolls`;
    case 'canary':
      return `canary: ${release.percent} % to ${subject} for ${release.bake_minutes} min, then 100 % (or back)`;
    case 'blue-green':
      return `blue-green: 0 % to ${subject} until it is healthy and approved, then 100 %`;
  }
}
