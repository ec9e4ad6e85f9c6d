/**
 * Loads a deployment config: read and parse the YAML, fill `${VAR}` references, validate the
 * common fields and the target's spec, run the target's preflight checks, and find the bento.
 * Every problem becomes a diagnostic with file:line:column and the field path.
 */
import { dirname, resolve } from 'node:path';
import { isMap } from 'yaml';
import { bentoctlHome } from '../bento/home.js';
import { locateBento } from '../bento/locate.js';
import { errors, type Diagnostic } from '../errors/index.js';
import { getTarget, isTargetName } from '../targets/registry.js';
import type { SecretReferenceForm } from '../targets/target.js';
import { interpolateDocument } from './interpolate.js';
import { parseWithTypedReferences } from './typed-references.js';
import { parseYaml, readYamlFile, type YamlSource } from './read-yaml.js';
import type { ResolvedConfig } from './resolved-config.js';
import { deploymentConfigSchema, type DeploymentConfigData } from './schema.js';
import { applyDerivedDefaults } from './derived-defaults.js';
import { diagnosticsFromIssues, formatPath } from './zod-diagnostics.js';
import { isPlainObject } from './plain-object.js';

export interface LoadOptions {
  /** Variables for `${VAR}`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The bento store folder. @default $BENTOCTL_HOME or ~/.bentoctl */
  readonly home?: string;
}

/** Loads and fully validates the config file at `file`. */
export function loadConfig(file: string, options: LoadOptions = {}): ResolvedConfig {
  return resolveSource(file, readYamlFile(file), options);
}

/** Same as `loadConfig` for text already in memory (`file` is used in messages and for paths). */
export function loadConfigText(
  file: string,
  text: string,
  options: LoadOptions = {},
): ResolvedConfig {
  return resolveSource(file, parseYaml(file, text), options);
}

function resolveSource(file: string, source: YamlSource, options: LoadOptions): ResolvedConfig {
  const { document, locator } = source;
  if (!isMap(document.contents)) {
    throw errors.configInvalid(file, [
      {
        location: locator.value([]),
        field: '',
        message: 'the file must be a mapping of fields (api_version, name, bento, target, ...)',
      },
    ]);
  }

  const { unresolved, whole } = interpolateDocument(document, options.env ?? process.env);
  if (unresolved.length > 0) {
    throw errors.envUnset(
      file,
      unresolved.map((reference) => ({
        location: locator.at(reference.offset),
        field: reference.field,
        message:
          reference.reason === 'unset'
            ? `environment variable ${reference.name} is not set`
            : `\${${reference.name}} is not a valid reference; write \${NAME} or \${NAME:-default}`,
      })),
    );
  }

  const written: unknown = document.toJS();
  const targetName = (written as { target?: unknown }).target;
  const target =
    typeof targetName === 'string' && isTargetName(targetName) ? getTarget(targetName) : undefined;
  const { data, result: parsed } = parseWithTypedReferences(
    deploymentConfigSchema,
    withTargetRuntimeDefaults(withoutEmptySections(written), target?.defaultDevice),
    whole,
  );
  const diagnostics: Diagnostic[] = [];

  if (!parsed.success) {
    diagnostics.push(
      ...diagnosticsFromIssues(parsed.error.issues, {
        schema: deploymentConfigSchema,
        data,
        locator,
        basePath: [],
        hoistedKeys: target ? Object.keys(target.specSchema.shape) : [],
      }),
    );
  }

  // The spec is checked even when other fields failed, so one run shows every problem.
  const rawSpec = (data as { spec?: unknown }).spec ?? {};
  let spec: Record<string, unknown> | undefined;
  if (target !== undefined) {
    const typedSpec = parseWithTypedReferences(target.specSchema, rawSpec, whole, ['spec']);
    const specResult = typedSpec.result;
    if (specResult.success) {
      spec = specResult.data;
    } else if (typeof rawSpec === 'object' && rawSpec !== null && !Array.isArray(rawSpec)) {
      diagnostics.push(
        ...diagnosticsFromIssues(specResult.error.issues, {
          schema: target.specSchema,
          data: typedSpec.data,
          locator,
          basePath: ['spec'],
        }),
      );
    }
  }

  if (parsed.success && spec !== undefined && target !== undefined) {
    const config = parsed.data;
    const context = {
      name: config.name,
      runtime: config.runtime,
      image: config.image,
      release: config.release,
    };
    const preflightIssues = target.preflight(spec, context);
    const strategy = config.release.strategy;
    // A target's own reason (aws-ec2-gpu: a single instance has no load balancer) says more
    // than "cannot do", so the generic line is for strategies nothing else explained.
    const explained = preflightIssues.some(
      (issue) => issue.scope === 'config' && issue.path[0] === 'release',
    );
    if (!explained && target.releaseStrategies[strategy] === undefined) {
      diagnostics.push({
        location: locator.value(['release', 'strategy']),
        field: 'release.strategy',
        message: `${target.name} cannot do a ${strategy} release${target.releaseGaps?.[strategy] === undefined ? '' : ` (${target.releaseGaps[strategy]})`}; it can do ${Object.keys(target.releaseStrategies).join(', ')}`,
        suggestion: 'rolling',
      });
    }
    for (const issue of preflightIssues) {
      const path = issue.scope === 'config' ? [...issue.path] : ['spec', ...issue.path];
      diagnostics.push({
        location: locator.value(path),
        field: formatPath(path),
        message: issue.message,
        suggestion: issue.suggestion,
      });
    }
    const repository = config.image.repository;
    const pullProblem =
      repository === undefined ? undefined : target.imagePullProblem?.(repository, spec);
    if (pullProblem !== undefined) {
      diagnostics.push({
        location: locator.value(['image', 'repository']),
        field: 'image.repository',
        message: pullProblem,
      });
    }
    if (config.runtime.grpc.enabled && !target.grpc.served) {
      diagnostics.push({
        location: locator.value(['runtime', 'grpc', 'enabled']),
        field: 'runtime.grpc.enabled',
        message: `${target.name} cannot serve gRPC: ${target.grpc.why}`,
        suggestion: 'false',
      });
    }
    diagnostics.push(...crossFieldDiagnostics(config, locator));
    diagnostics.push(...secretDiagnostics(config, target.secretReference, locator));
  }

  if (diagnostics.length > 0) throw errors.configInvalid(file, sortByPosition(diagnostics));
  if (!parsed.success || spec === undefined || target === undefined) {
    throw errors.internal(new Error('validation failed without a diagnostic'));
  }

  const config = parsed.data;
  const dir = dirname(resolve(file));
  const lookup = locateBento(config.bento, dir, options.home ?? bentoctlHome());
  if (!lookup.found) {
    throw errors.bentoNotFound(file, {
      location: locator.value(['bento']),
      field: 'bento',
      message: lookup.problem,
      suggestion: lookup.suggestion,
    });
  }
  return {
    ...applyDerivedDefaults(config, target.stateScope(spec)),
    spec,
    source: { file, dir },
    bentoReference: lookup.reference,
  };
}

/** Sections whose every line is commented out (`spec:` alone) read as null: treat as absent. */
const SECTIONS = ['spec', 'runtime', 'image', 'release', 'state', 'env', 'secrets'] as const;

function withoutEmptySections(data: unknown): unknown {
  if (!isPlainObject(data)) return data;
  return Object.fromEntries(
    Object.entries(data).filter(
      ([key, value]) => !(value === null && (SECTIONS as readonly string[]).includes(key)),
    ),
  );
}

/**
 * A target may run on another device by default (aws-ec2-gpu: gpu); a device the user wrote
 * always wins. Applied before validation so preflight checks see the device that will run.
 */
function withTargetRuntimeDefaults(data: unknown, device: 'cpu' | 'gpu' | undefined): unknown {
  if (device === undefined || !isPlainObject(data)) return data;
  const runtime = data.runtime ?? {};
  if (!isPlainObject(runtime) || runtime.device !== undefined) return data;
  return { ...data, runtime: { ...runtime, device } };
}

/** Rules between sections that no single schema sees. */
function crossFieldDiagnostics(
  config: DeploymentConfigData,
  locator: YamlSource['locator'],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { auth } = config.runtime;
  if (auth.mode === 'bearer' && auth.secret === undefined) {
    out.push({
      location: locator.value(['runtime', 'auth']),
      field: 'runtime.auth.secret',
      message:
        'auth mode is bearer but no secret holds the token; name the cloud secret the runtime reads it from',
    });
  }
  const { grpc, port } = config.runtime;
  if (grpc.enabled && grpc.port === port) {
    out.push({
      location: locator.value(['runtime', 'grpc', 'port']),
      field: 'runtime.grpc.port',
      message: `the gRPC service and the HTTP server would both listen on ${port}; give the gRPC service its own port`,
      suggestion: String(port === 65535 ? port - 1 : port + 1),
    });
  }
  for (const name of Object.keys(config.secrets)) {
    if (name in config.env) {
      out.push({
        location: locator.key(['secrets'], name),
        field: `secrets.${name}`,
        message: `${name} is set both in env and in secrets; keep one`,
      });
    }
  }
  return out;
}

/**
 * Secret references in the target's store form, checked here as synthesis will parse them, so
 * that `generate` never meets a reference `validate` let through.
 */
function secretDiagnostics(
  config: DeploymentConfigData,
  store: SecretReferenceForm,
  locator: YamlSource['locator'],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, reference] of Object.entries(config.secrets)) {
    if (store.isValid(reference)) continue;
    out.push({
      location: locator.value(['secrets', name]),
      field: `secrets.${name}`,
      message: `${JSON.stringify(reference)} is not a secret reference this target reads; expected ${store.form}`,
    });
  }
  const { auth } = config.runtime;
  if (auth.mode !== 'bearer' || auth.secret === undefined) return out;
  if (!store.isValid(auth.secret)) {
    out.push({
      location: locator.value(['runtime', 'auth', 'secret']),
      field: 'runtime.auth.secret',
      message: `${JSON.stringify(auth.secret)} is not a secret reference this target reads; expected ${store.form}`,
    });
  }
  const other = config.secrets[auth.token_env];
  if (other !== undefined && other !== auth.secret) {
    out.push({
      location: locator.value(['secrets', auth.token_env]),
      field: `secrets.${auth.token_env}`,
      message: `${auth.token_env} is filled by runtime.auth.secret too (${auth.secret}); keep one of the two`,
    });
  }
  return out;
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.location.line - b.location.line || a.location.column - b.location.column,
  );
}
