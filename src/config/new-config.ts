/**
 * Decides the content of a new deployment config for `bentoctl init`: values from flags first,
 * then from an interactive asker (when a terminal is attached), then defaults (with --yes).
 * Whatever it writes has passed the same validation as `bentoctl validate`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { BENTO_FILE, STORE_REFERENCE } from '../bento/locate.js';
import { BentoctlError, errors } from '../errors/index.js';
import { describeSpec, type SpecField } from '../targets/describe-spec.js';
import { TARGET_NAMES, type TargetName } from '../targets/names.js';
import { getTarget, isTargetName, listTargets } from '../targets/registry.js';
import type { TargetDefinition } from '../targets/target.js';
import { loadConfigText, type LoadOptions } from './load.js';
import { renderConfig } from './render-config.js';
import type { ResolvedConfig } from './resolved-config.js';
import { DEPLOYMENT_NAME_PATTERN } from './schema.js';
import { closestMatch } from './suggest.js';

export interface InitInputs {
  readonly target?: string;
  readonly name?: string;
  readonly bento?: string;
  readonly region?: string;
  /** Spec values from `--set key=value`, already parsed as YAML scalars. */
  readonly set: Readonly<Record<string, unknown>>;
  readonly output: string;
  readonly force: boolean;
  /** Accept defaults for anything not given instead of failing or asking. */
  readonly yes: boolean;
  readonly cwd: string;
}

/** Interactive questions; absent when no terminal is attached. */
export interface InitAsker {
  target(targets: readonly TargetDefinition[]): Promise<TargetName>;
  text(
    question: string,
    defaultValue: string | undefined,
    check: (value: string) => string | true,
  ): Promise<string>;
  specField(target: TargetDefinition, field: SpecField, defaultValue: unknown): Promise<unknown>;
}

export interface NewConfigFile {
  readonly path: string;
  readonly text: string;
  readonly config: ResolvedConfig;
}

export async function planNewConfig(
  inputs: InitInputs,
  asker: InitAsker | undefined,
  loadOptions: LoadOptions = {},
): Promise<NewConfigFile> {
  const path = resolve(inputs.cwd, inputs.output);
  if (existsSync(path) && !inputs.force) throw errors.outputExists(inputs.output);
  const missing: string[] = [];
  const interactive = asker !== undefined && !inputs.yes;

  const targetName = await chooseTarget(inputs, interactive ? asker : undefined, missing);
  const discovered = discoverBento(inputs.cwd);
  let bento = inputs.bento;
  if (bento === undefined) {
    if (interactive)
      bento = await asker.text('Bento (folder, archive or name:version)', discovered, nonEmpty);
    else if (inputs.yes && discovered !== undefined) bento = discovered;
    else missing.push('bento');
  }
  const suggestedName = deriveName(bento ?? discovered ?? '.', inputs.cwd);
  let name = inputs.name;
  if (name === undefined) {
    if (interactive) name = await asker.text('Deployment name', suggestedName, checkName);
    else if (inputs.yes) name = suggestedName;
    else missing.push('name');
  }

  const spec: Record<string, unknown> = {};
  if (targetName !== undefined) {
    const target = getTarget(targetName);
    const given = givenSpecValues(target, inputs);
    const fields = describeSpec(target);
    for (const key of target.initFields) {
      const field = fields.find((candidate) => candidate.name === key);
      if (field === undefined) continue;
      const fallback = field.default;
      if (key in given) spec[key] = given[key];
      else if (interactive) spec[key] = await asker.specField(target, field, fallback);
      else if (fallback === undefined || !inputs.yes) missing.push(flagFor(target, key));
      else spec[key] = fallback;
    }
    Object.assign(spec, given);
  }

  if (missing.length > 0) throw errors.initInputMissing(missing);
  if (targetName === undefined || bento === undefined || name === undefined) {
    throw errors.internal(new Error('init finished without a target, bento or name'));
  }
  const text = renderConfig({
    name,
    bento: relativeBento(bento, inputs.cwd, dirname(path)),
    target: getTarget(targetName),
    spec,
  });
  try {
    return { path, text, config: loadConfigText(path, text, loadOptions) };
  } catch (error) {
    if (error instanceof BentoctlError) {
      throw new BentoctlError({
        code: error.code,
        kind: error.kind,
        message: `${error.message} Nothing was written: the values came from flags or answers.`,
        hint: error.hint,
        diagnostics: error.diagnostics,
      });
    }
    throw error;
  }
}

async function chooseTarget(
  inputs: InitInputs,
  asker: InitAsker | undefined,
  missing: string[],
): Promise<TargetName | undefined> {
  if (inputs.target !== undefined) {
    if (isTargetName(inputs.target)) return inputs.target;
    throw errors.targetUnknown(inputs.target, closestMatch(inputs.target, TARGET_NAMES));
  }
  if (asker !== undefined) return asker.target(listTargets());
  missing.push('target');
  return undefined;
}

/** `--region` lands on the target's region field (`location` on Azure); `--set` on any field. */
function givenSpecValues(target: TargetDefinition, inputs: InitInputs): Record<string, unknown> {
  const keys = Object.keys(target.specSchema.shape);
  const values: Record<string, unknown> = {};
  if (inputs.region !== undefined) values[regionKey(target)] = inputs.region;
  for (const [key, value] of Object.entries(inputs.set)) {
    if (!keys.includes(key))
      throw errors.specFieldUnknown(target.name, key, closestMatch(key, keys));
    values[key] = value;
  }
  return values;
}

function regionKey(target: TargetDefinition): string {
  return 'region' in target.specSchema.shape ? 'region' : 'location';
}

function flagFor(target: TargetDefinition, key: string): string {
  return key === regionKey(target) ? 'region' : `set ${key}=<value>`;
}

/** A bento in the current folder, else the only one in a subfolder. */
function discoverBento(cwd: string): string | undefined {
  if (existsSync(join(cwd, BENTO_FILE))) return '.';
  const candidates = readdirSync(cwd, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(cwd, entry.name, BENTO_FILE)))
    .map((entry) => `./${entry.name}`);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** A DNS-safe name from the bento's store name or folder name. */
function deriveName(bento: string, cwd: string): string {
  const base = STORE_REFERENCE.test(bento)
    ? (bento.split(':')[0] ?? '')
    : basename(resolve(cwd, bento));
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return cleaned === '' ? 'bento' : cleaned;
}

function checkName(value: string): string | true {
  return DEPLOYMENT_NAME_PATTERN.test(value)
    ? true
    : '1-40 lowercase letters, digits or hyphens, starting with a letter';
}

function nonEmpty(value: string): string | true {
  return value.trim() === '' ? 'required' : true;
}

/** Paths in a config are relative to the config file, not to where init ran. */
function relativeBento(bento: string, cwd: string, configDir: string): string {
  if (STORE_REFERENCE.test(bento) || isAbsolute(bento)) return bento;
  const rel = relative(configDir, resolve(cwd, bento)) || '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}
