/**
 * Decides the content of a new deployment config for `bentoctl init`: values from flags first,
 * then from an interactive asker (when a terminal is attached), then defaults (with --yes).
 * Whatever it writes has passed the same validation as `bentoctl validate`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { bentoctlHome } from '../bento/home.js';
import { BENTO_FILE, locateBento, STORE_REFERENCE } from '../bento/locate.js';
import { validateBento } from '../bento/validate.js';
import { BentoctlError, errors, type Diagnostic } from '../errors/index.js';
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

/** Checks one answer against everything `validate` checks; a string says what is wrong. */
export type AnswerCheck<Value> = (value: Value) => Promise<string | true> | string | true;

/** What to do when the answers, taken together, still fail validation. */
export type ProblemChoice = 'fix' | 'write' | 'cancel';

/** Interactive questions; absent when no terminal is attached. */
export interface InitAsker {
  target(targets: readonly TargetDefinition[]): Promise<TargetName>;
  text(
    question: string,
    defaultValue: string | undefined,
    check: AnswerCheck<string>,
  ): Promise<string>;
  specField(
    target: TargetDefinition,
    field: SpecField,
    defaultValue: unknown,
    check: AnswerCheck<unknown>,
  ): Promise<unknown>;
  /** Shown the problems left after the last answer: fix them in place, write anyway, or stop. */
  problems(diagnostics: readonly Diagnostic[]): Promise<ProblemChoice>;
}

export interface NewConfigFile {
  readonly path: string;
  readonly text: string;
  readonly name: string;
  readonly target: TargetName;
  /** As written in the file (relative to it). */
  readonly bento: string;
  /** The validated config; undefined when the person chose to write it with its problems. */
  readonly config: ResolvedConfig | undefined;
  /** Problems written into the file's header (only after choosing "write anyway"). */
  readonly problems: readonly Diagnostic[];
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
  const home = loadOptions.home ?? bentoctlHome();

  const targetName = await chooseTarget(inputs, interactive ? asker : undefined, missing);
  const discovered = discoverBento(inputs.cwd);
  const askBento = (defaultValue: string | undefined) =>
    asker!.text('Bento (folder, archive or name:version)', defaultValue, (value) =>
      checkBentoAnswer(value, inputs.cwd, home),
    );
  let bento = inputs.bento;
  if (bento === undefined) {
    if (interactive) bento = await askBento(discovered);
    else if (inputs.yes && discovered !== undefined) bento = discovered;
    else missing.push('bento');
  }
  const suggestedName = deriveName(bento ?? discovered ?? '.', inputs.cwd);
  const askName = (defaultValue: string) => asker!.text('Deployment name', defaultValue, checkName);
  let name = inputs.name;
  if (name === undefined) {
    if (interactive) name = await askName(suggestedName);
    else if (inputs.yes) name = suggestedName;
    else missing.push('name');
  }

  const spec: Record<string, unknown> = {};
  const target = targetName === undefined ? undefined : getTarget(targetName);
  const render = (values: Record<string, unknown>) =>
    renderConfig({
      name: name ?? suggestedName,
      bento: relativeBento(bento ?? '.', inputs.cwd, dirname(path)),
      target: target!,
      spec: values,
    });
  // Each answer is checked with the answers so far and defaults for the rest, against the same
  // schema and cloud rules as `validate`, so a bad value is asked again before the next question.
  // A rule that ties this answer to a question still ahead (min_instances before
  // max_instances) waits for that answer: the person may be about to fix it there.
  const pending = new Set<string>(target?.initFields ?? []);
  const askField = async (field: SpecField, defaultValue: unknown) => {
    pending.delete(field.name);
    return asker!.specField(target!, field, defaultValue, (value) =>
      problemWith(field.name, render({ ...spec, [field.name]: value }), path, loadOptions, pending),
    );
  };
  if (target !== undefined) {
    const given = givenSpecValues(target, inputs);
    const fields = describeSpec(target);
    for (const key of target.initFields) {
      const field = fields.find((candidate) => candidate.name === key);
      if (field === undefined) continue;
      const fallback = field.default;
      if (key in given) spec[key] = given[key];
      else if (interactive) spec[key] = await askField(field, fallback);
      else if (fallback === undefined || !inputs.yes) missing.push(flagFor(target, key));
      else spec[key] = fallback;
    }
    Object.assign(spec, given);
  }

  if (missing.length > 0) throw errors.initInputMissing(missing);
  if (target === undefined || bento === undefined || name === undefined) {
    throw errors.internal(new Error('init finished without a target, bento or name'));
  }
  for (;;) {
    const text = render(spec);
    const attempt = tryLoad(path, text, loadOptions);
    const written = {
      path,
      name,
      target: target.name,
      bento: relativeBento(bento, inputs.cwd, dirname(path)),
    };
    if (attempt.config !== undefined)
      return { ...written, text, config: attempt.config, problems: [] };
    const failure = attempt.error;
    if (!interactive) throw nothingWritten(failure);
    const choice = await asker.problems(failure.diagnostics);
    if (choice === 'cancel') throw nothingWritten(failure);
    if (choice === 'write') {
      return {
        ...written,
        text: withProblems(text, failure),
        config: undefined,
        problems: failure.diagnostics,
      };
    }
    // Fix in place: ask again exactly the answers the problems point at, nothing else.
    const fields = describeSpec(target);
    for (const diagnostic of failure.diagnostics) {
      const key = diagnostic.field.replace(/^spec\./, '').split(/[.[]/)[0] ?? '';
      const field = fields.find((candidate) => candidate.name === key);
      if (diagnostic.field.startsWith('spec.') && field !== undefined)
        spec[key] = await askField(field, spec[key] ?? field.default);
      else if (diagnostic.field === 'name') name = await askName(name);
      else if (diagnostic.field === 'bento') bento = await askBento(bento);
    }
  }
}

function tryLoad(
  path: string,
  text: string,
  loadOptions: LoadOptions,
): { config: ResolvedConfig; error?: undefined } | { config?: undefined; error: BentoctlError } {
  try {
    return { config: loadConfigText(path, text, loadOptions) };
  } catch (error) {
    if (error instanceof BentoctlError) return { error };
    throw error;
  }
}

/**
 * What is wrong with the answer to `key` in the config `text`: a problem reported on that
 * field, or a rule between fields that names it (min_instances > max_instances).
 */
function problemWith(
  key: string,
  text: string,
  path: string,
  loadOptions: LoadOptions,
  pending: ReadonlySet<string>,
): string | true {
  const attempt = tryLoad(path, text, loadOptions);
  if (attempt.error === undefined) return true;
  const field = `spec.${key}`;
  const waitsForLater = (message: string) => [...pending].some((name) => message.includes(name));
  const diagnostics = attempt.error.diagnostics.filter((d) => !waitsForLater(d.message));
  const relevant =
    diagnostics.find(
      (d) =>
        d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`),
    ) ?? diagnostics.find((d) => d.field.startsWith('spec.') && d.message.includes(key));
  if (relevant === undefined) return true;
  return relevant.suggestion === undefined
    ? relevant.message
    : `${relevant.message} (did you mean ${relevant.suggestion}?)`;
}

/** The bento answer must name a bento that loads: found, with a bento.yaml and models that parse. */
async function checkBentoAnswer(value: string, cwd: string, home: string): Promise<string | true> {
  if (value.trim() === '') return 'required';
  const lookup = locateBento(value.trim(), cwd, home);
  if (!lookup.found)
    return lookup.suggestion ? `${lookup.problem} (${lookup.suggestion})` : lookup.problem;
  if (lookup.reference.kind === 'archive') return true;
  try {
    await validateBento(lookup.reference.path, { models: 'protobuf' });
    return true;
  } catch (error) {
    if (!(error instanceof BentoctlError)) throw error;
    const first = error.diagnostics[0];
    return first === undefined ? error.message : `${first.field}: ${first.message}`;
  }
}

function nothingWritten(error: BentoctlError): BentoctlError {
  return new BentoctlError({
    code: error.code,
    kind: error.kind,
    message: `${error.message} Nothing was written: the values came from flags or answers.`,
    hint: error.hint,
    diagnostics: error.diagnostics,
  });
}

/** The file as written after "write anyway": its problems first, as comments. */
function withProblems(text: string, error: BentoctlError): string {
  const lines = [
    '# bentoctl init wrote this file with problems left to fix (`bentoctl validate -f` lists them):',
    ...error.diagnostics.map((d) => `#   ${d.field || '(file)'}: ${d.message}`),
  ];
  return `${lines.join('\n')}\n${text}`;
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

/** Paths in a config are relative to the config file, not to where init ran. */
function relativeBento(bento: string, cwd: string, configDir: string): string {
  if (STORE_REFERENCE.test(bento) || isAbsolute(bento)) return bento;
  const rel = relative(configDir, resolve(cwd, bento)) || '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}
