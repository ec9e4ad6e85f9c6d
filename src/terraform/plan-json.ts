/**
 * The parts of `terraform show -json <planfile>` bentoctl reads, as Terraform documents them
 * ("JSON Output Format", format_version 1.x). Fields bentoctl does not use are left out; new
 * fields Terraform adds in a minor format version are ignored, as its compatibility rules intend.
 */
import { errors } from '../errors/index.js';
import { isPlainObject } from '../config/plain-object.js';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A value shaped like the attribute it describes, with `true` where the attribute (or the whole
 * subtree under it) is sensitive or unknown, and `false`, `{}` or `[]` where it is not.
 */
export type ValueMask = JsonValue;

/** Terraform's action names; a replace is `["delete","create"]` or `["create","delete"]`. */
export const PLAN_JSON_ACTIONS = ['no-op', 'create', 'read', 'update', 'delete', 'forget'] as const;
export type PlanJsonAction = (typeof PLAN_JSON_ACTIONS)[number];

/** A change representation: the value before and after, with the masks that go with them. */
export interface PlanChange {
  readonly actions: readonly PlanJsonAction[];
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
  /** Where `after` is only known after apply; such values are absent from `after`. */
  readonly after_unknown?: ValueMask;
  readonly before_sensitive?: ValueMask;
  readonly after_sensitive?: ValueMask;
  /** Attribute paths (keys and list indices) whose change forces the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  /** Present when the resource is being imported. */
  readonly importing?: { readonly id?: string };
}

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name: string;
  /** Set when the change is to a deposed object left by an interrupted create-before-destroy. */
  readonly deposed?: string;
  readonly change: PlanChange;
  /** Why Terraform chose this action, e.g. `replace_because_tainted`. */
  readonly action_reason?: string;
}

/** An output's change; its masks are plain booleans because outputs are single values. */
export interface OutputChange {
  readonly actions: readonly PlanJsonAction[];
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
  readonly after_unknown?: boolean;
  readonly before_sensitive?: boolean;
  readonly after_sensitive?: boolean;
}

export interface TerraformPlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
  /** Whether applying the plan would change anything (Terraform >= 1.9 fills it). */
  readonly applyable?: boolean;
  readonly errored?: boolean;
}

/** Parses `terraform show -json` output, checking the shape bentoctl relies on. */
export function parsePlanJson(text: string): TerraformPlanJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errors.terraformOutputInvalid('show -json', `not JSON (${(cause as Error).message})`);
  }
  const problem = shapeProblem(value);
  if (problem !== undefined) throw errors.terraformOutputInvalid('show -json', problem);
  return value as TerraformPlanJson;
}

function shapeProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'expected a JSON object';
  const version = value.format_version;
  // A new major format version is allowed to change meanings; refuse rather than misreport.
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    return `format_version ${JSON.stringify(version)} is not 1.x`;
  }
  const changes = value.resource_changes;
  if (changes === undefined) return undefined;
  if (!Array.isArray(changes)) return 'resource_changes is not a list';
  for (const [index, change] of changes.entries()) {
    if (
      !isPlainObject(change) ||
      typeof change.address !== 'string' ||
      !isPlainObject(change.change) ||
      !Array.isArray(change.change.actions)
    ) {
      return `resource_changes[${index}] has no address or change.actions`;
    }
  }
  return undefined;
}
