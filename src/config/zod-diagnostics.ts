/**
 * Turns zod's validation issues into diagnostics a person can act on: the file position, the
 * dotted field, the bad value quoted, and the closest valid key or value.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../errors/index.js';
import { objectKeysAt } from './schema-keys.js';
import type { SourceLocator } from './source-location.js';
import { closestMatch, closestNumber } from './suggest.js';

type Issue = z.core.$ZodIssue;

export interface DiagnosticContext {
  readonly schema: z.ZodType;
  /** The data that was validated, for quoting values and picking union branches. */
  readonly data: unknown;
  readonly locator: SourceLocator;
  /** Prefix of every path (`['spec']` when validating a target spec). */
  readonly basePath: readonly PropertyKey[];
  /** Extra keys to suggest for unknown keys at the top (spec fields written one level up). */
  readonly hoistedKeys?: readonly string[];
}

/** One or more diagnostics per issue (an unknown-keys issue names each key). */
export function diagnosticsFromIssues(
  issues: readonly Issue[],
  context: DiagnosticContext,
): Diagnostic[] {
  return issues.flatMap((issue) => fromIssue(issue, context));
}

function fromIssue(issue: Issue, context: DiagnosticContext): Diagnostic[] {
  const path = [...context.basePath, ...issue.path];
  const value = valueAt(context.data, issue.path);
  const field = formatPath(path);
  const at = context.locator.value(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectKeysAt(context.schema, issue.path, context.data);
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const suggestion = closestMatch(key, known);
        const hoisted =
          issue.path.length === 0 && suggestion === undefined && context.hoistedKeys?.includes(key);
        return {
          location: context.locator.key(path, key),
          field: formatPath(keyPath),
          message: hoisted
            ? `unknown field "${key}": it is a field of the target's spec, so move it under spec:`
            : `unknown field "${key}"`,
          suggestion,
        };
      });
    }
    case 'invalid_type':
      if (value === undefined) {
        return [{ location: at, field, message: `missing required field "${field}"` }];
      }
      return [
        {
          location: at,
          field,
          message: `expected ${issue.expected}, got ${quote(value)} (${kindOf(value)})`,
          suggestion: numericStringHint(value, issue.expected),
        },
      ];
    case 'invalid_value': {
      const allowed = issue.values;
      if (value === undefined) {
        return [
          {
            location: at,
            field,
            message: `missing required field "${field}" (${listValues(allowed)})`,
          },
        ];
      }
      return [
        {
          location: at,
          field,
          message: `${quote(value)} is not ${allowed.length === 1 ? quote(allowed[0]) : `one of ${listValues(allowed)}`}`,
          suggestion: suggestValue(value, allowed),
        },
      ];
    }
    case 'invalid_union': {
      const options = 'options' in issue ? (issue.options as unknown[]) : undefined;
      const discriminator = 'discriminator' in issue ? String(issue.discriminator) : undefined;
      if (options !== undefined && discriminator !== undefined) {
        const given = valueAt(context.data, issue.path);
        if (given === undefined) {
          return [
            {
              location: at,
              field,
              message: `missing required field "${field}" (one of ${listValues(options)})`,
            },
          ];
        }
        return [
          {
            location: at,
            field,
            message: `${quote(given)} is not one of ${listValues(options)}`,
            suggestion: suggestValue(given, options),
          },
        ];
      }
      return [
        { location: at, field, message: `${quote(value)} matches none of the allowed forms` },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      const unit =
        issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
      return [
        {
          location: at,
          field,
          message: `must be ${word} ${String(bound)}${unit}, got ${quote(value)}`,
          suggestion: issue.origin === 'number' ? `${String(bound)}` : undefined,
        },
      ];
    }
    case 'invalid_key': {
      const key = String(issue.path.at(-1));
      const inner = issue.issues.map((inner) => inner.message).join('; ');
      return [
        {
          location: context.locator.key(path.slice(0, -1), key),
          field,
          message: `key ${quote(key)} ${inner}`,
        },
      ];
    }
    default:
      return [{ location: at, field, message: `${quote(value)} ${issue.message}` }];
  }
}

/** `spec.allowed_cidrs[0]` style path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** A bad value as the user wrote it, cut short so one huge value cannot flood the terminal. */
export function quote(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

function listValues(values: readonly unknown[]): string {
  const shown = values.slice(0, 8).map((v) => quote(v));
  return values.length > 8
    ? `${shown.join(', ')}, ... (${values.length} in all)`
    : shown.join(', ');
}

function suggestValue(given: unknown, allowed: readonly unknown[]): string | undefined {
  if (typeof given === 'string') {
    const asNumber = Number(given);
    if (given.trim() !== '' && allowed.includes(asNumber))
      return `${asNumber} (a number, without quotes)`;
    const strings = allowed.filter((v): v is string => typeof v === 'string');
    return closestMatch(given, strings);
  }
  if (typeof given === 'number') {
    const numbers = allowed.filter((v): v is number => typeof v === 'number');
    const closest = closestNumber(given, numbers);
    return closest === undefined ? undefined : String(closest);
  }
  return undefined;
}

function numericStringHint(value: unknown, expected: string): string | undefined {
  if (typeof value === 'string' && (expected === 'number' || expected === 'int')) {
    if (value.trim() !== '' && Number.isFinite(Number(value))) {
      return `${Number(value)} (a number, without quotes)`;
    }
  }
  if (typeof value === 'string' && expected === 'boolean' && /^(true|false)$/i.test(value)) {
    return `${value.toLowerCase()} (without quotes)`;
  }
  return undefined;
}
