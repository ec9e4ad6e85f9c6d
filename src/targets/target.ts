/**
 * The contract every deployment target implements. A target owns its spec schema (with
 * defaults), its cloud's constraints, the registry it pushes to and the Terraform it adds.
 * Targets never import each other; the registry in `registry.ts` is the only place that knows all.
 */
import type { z } from 'zod';
import type { ReleaseConfig, ReleaseStrategy } from '../config/release-schema.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { Cloud, RegistryKind, TargetName } from './names.js';
import type { Synthesizer } from './synthesizer.js';

/** A problem with a spec that its schema alone cannot express (pairs of fields, cloud limits). */
export interface SpecIssue {
  /** Path below `spec`, e.g. `['memory']` (below the config's root when `scope` is `config`). */
  readonly path: readonly (string | number)[];
  /** `config` for an issue outside `spec` that only the target sees (e.g. `name`). @default 'spec' */
  readonly scope?: 'spec' | 'config';
  readonly message: string;
  /** A valid value for the field at `path`, shown as "did you mean <value>?". */
  readonly suggestion?: string;
}

/** A Terraform output the target declares; every target declares at least `endpoint`. */
export interface TargetOutput {
  readonly name: string;
  readonly description: string;
  /**
   * `grpc`: declared only when `runtime.grpc.enabled` is on; `candidate`: only under a canary or
   * blue-green release (`release.strategy` other than rolling), which runs a candidate. See
   * `outputsOf`: a stack without gRPC or without a candidate has no output for it.
   * @default - always declared
   */
  readonly when?: 'grpc' | 'candidate';
}

/**
 * How a target carries the runtime's gRPC port (`runtime.grpc`), for `targets show`; a target
 * that cannot says why, and `validate` refuses `runtime.grpc.enabled` with that reason.
 */
export type TargetGrpc =
  | { readonly served: true; readonly how: string }
  | { readonly served: false; readonly why: string };

/**
 * How a target reads `secrets:` values and `runtime.auth.secret`: the same check validate runs
 * and synthesis relies on, so a reference synthesis would reject never passes validate.
 */
export interface SecretReferenceForm {
  /** The accepted forms, for messages: "expected <form>". */
  readonly form: string;
  isValid(reference: string): boolean;
}

/** What a target knows about its deployment besides its own spec. */
export interface PreflightContext {
  /** The deployment name (DNS-safe), used to derive resource names. */
  readonly name: string;
  readonly runtime: {
    readonly port: number;
    readonly device: 'cpu' | 'gpu';
    readonly auth: { readonly mode: 'none' | 'bearer' };
    readonly grpc: { readonly enabled: boolean; readonly port: number };
  };
  /** The config's `image:` section; `repository` is absent when the target's default is used. */
  readonly image: { readonly repository?: string | undefined };
  /** The config's `release:` section (a strategy the target lists in `releaseStrategies`). */
  readonly release: ReleaseConfig;
}

/**
 * One of the stacks a target splits its Terraform into. Each has its own folder and state
 * (`<state key>/<name>`); bentoctl plans and applies them in order and destroys them in reverse.
 */
export interface TargetStack {
  /** Folder and state key segment, e.g. `cluster`. */
  readonly name: string;
  /** What it holds, for messages and the plan summary. */
  readonly summary: string;
}

/**
 * What `bentoctl terminate` and `restore` do on a target, in its cloud's words (shown by
 * `bentoctl targets show`): the stack renders the same shapes from `SynthInput.lifecycle`.
 */
export interface TargetLifecycleShapes {
  /** The terminated shape: what goes to zero, what stays, what the endpoint answers. */
  readonly terminated: string;
  /** What `restore` sets back. */
  readonly restored: string;
}

/**
 * A canary or blue-green candidate's own URL (the `candidate_endpoint` output) as the traffic
 * lines of `plan` and `release status` name it, after the revision it reaches: in the words of
 * the platform's reader, since only Cloud Run calls it a tag.
 */
export interface CandidateUrlWords<Spec> {
  /**
   * `revision-tag`: a tag on the revision (Cloud Run's traffic tag), which stays on it after a
   * promote or an abort, so the revision still answers there; `release`: a listener or load
   * balancer of the candidate that `plan` names only while a release runs it (canary, or
   * waiting for promote).
   */
  readonly kind: 'revision-tag' | 'release';
  /** The words, short: "tag candidate", "own URL: load balancer port 8080". */
  describe(deployment: string, spec: Spec): string;
}

export interface TargetDefinition<Spec extends z.ZodObject = z.ZodObject> {
  readonly name: TargetName;
  readonly cloud: Cloud;
  /** One line for `bentoctl targets list`. */
  readonly summary: string;
  /** The spec schema: every field documented, every optional field with its default. */
  readonly specSchema: Spec;
  readonly registry: RegistryKind;
  /** `runtime.device` when the config does not set it. @default 'cpu' */
  readonly defaultDevice?: 'cpu' | 'gpu';
  /**
   * The stacks, in apply order, when one is not enough (a provider configured from a resource
   * the same plan may replace). The last one runs the bento: it declares `outputs` and carries
   * the release history. @default - one stack
   */
  readonly stacks?: readonly TargetStack[];
  /** The stack's outputs: synthesis declares exactly these, with these descriptions. */
  readonly outputs: readonly TargetOutput[];
  /**
   * The `release.strategy` values this target can do, each on its cloud's own mechanism, with
   * one line on how (shown by `bentoctl targets show`). `validate` refuses the others.
   */
  readonly releaseStrategies: Readonly<Partial<Record<ReleaseStrategy, string>>>;
  /** Why a strategy it cannot do is missing, for the validate error. @default - none given */
  readonly releaseGaps?: Readonly<Partial<Record<ReleaseStrategy, string>>>;
  /**
   * Strategies whose traffic the platform shifts once bentoctl approves the revision (the stack
   * takes `bentoctl_approval`, src/targets/traffic-split.ts) and rolls back by itself when it
   * is rejected: `release abort` applies the stable release's own image, so that the state names
   * what the platform goes back to. @default - none
   */
  readonly approvalStrategies?: readonly ReleaseStrategy[];
  /** How `plan` and `release status` name the candidate's own URL (`candidate_endpoint`). */
  readonly candidateUrl: CandidateUrlWords<z.output<Spec>>;
  /** Whether and how the gRPC service reaches clients. */
  readonly grpc: TargetGrpc;
  /** What terminate and restore do here (`bentoctl targets show`). */
  readonly lifecycle: TargetLifecycleShapes;
  /** The secret store's reference form (`secrets:` values, `runtime.auth.secret`). */
  readonly secretReference: SecretReferenceForm;
  /** Spec fields `bentoctl init` asks for, in order; the rest keep their defaults. */
  readonly initFields: readonly (keyof z.input<Spec> & string)[];
  /**
   * Where the deployment lives (`us-east-1`, `<project>/<region>`): with the target, part of the
   * default state key, so one name deployed to two regions or targets keeps two states.
   */
  stateScope(spec: z.output<Spec>): string;
  /** Checks of cloud constraints on a spec that already passed its schema. */
  preflight(spec: z.output<Spec>, context: PreflightContext): readonly SpecIssue[];
  /**
   * Why the target's platform could not pull images from `repository` with this spec (its pull
   * credentials), or undefined when it can. `validate` checks `image.repository` with it and
   * `generate` the image it pins. @default - every repository is accepted
   */
  imagePullProblem?(repository: string, spec: z.output<Spec>): string | undefined;
  /**
   * Trade-offs of this config worth a line in `generate` and `plan` that do not stop them.
   * @default - none
   */
  warnings?(config: ResolvedConfig): readonly string[];
  /**
   * What a reviewer of this plan must know that its resource list does not say (an outage, the
   * rights an apply needs), shown under the plan summary. @default - none
   */
  planNotes?(summary: PlanSummary): readonly string[];
  /**
   * Loads the Terraform synthesis on demand: it pulls in cdktf and provider classes (deep
   * imports), which only `generate` and the commands built on it should pay for.
   */
  loadSynthesizer(): Promise<Synthesizer<z.output<Spec>>>;
}
