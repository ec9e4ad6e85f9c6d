/**
 * The contract between `generate` and a target's Terraform. The framework creates the cdktf
 * stack with its backend; a target adds providers, resources and outputs to it. Only types are
 * imported from cdktf here, so loading the target registry stays cheap.
 */
import type { TerraformRemoteState, TerraformStack } from 'cdktf';
import type { ResolvedConfig } from '../config/resolved-config.js';

/** The image the deployment runs. */
export interface ImageReference {
  /** Registry and repository, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod`. */
  readonly repository: string;
  /** `sha256:...` when the build step recorded a push. */
  readonly digest?: string;
  readonly tag?: string;
  /** What the container runs: `repository@digest` when known, else `repository:tag`. */
  readonly ref: string;
}

/**
 * The lifecycle shape a stack renders (src/deploy/lifecycle-state.ts keeps the state): serving,
 * or terminated (compute at zero, the endpoint closed; repository, images and config stay).
 */
export interface StackLifecycle {
  /** Render the terminated shape. */
  readonly terminated: boolean;
  /**
   * This apply brings a terminated deployment back: instance counts are set outright, also where
   * a running stack leaves them to an autoscaler (AKS's Deployment replicas).
   */
  readonly restoring: boolean;
}

/** A deployment that serves: what `generate` renders unless told otherwise. */
export const RUNNING: StackLifecycle = { terminated: false, restoring: false };

export interface SynthInput<Spec> {
  /** The stack to add to; its backend is already configured from `state:`. */
  readonly stack: TerraformStack;
  readonly config: ResolvedConfig;
  /** `config.spec`, typed by the target's schema. */
  readonly spec: Spec;
  readonly image: ImageReference;
  /** Content hash of the bento. */
  readonly bentoVersion: string;
  /** Tags (AWS, Azure) or labels (GCP, Kubernetes) for every resource that takes them. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The bento's name and version, for the resources that run it only (see `bentoLabels`), so a
   * release changes those and nothing else.
   */
  readonly bentoLabels: Readonly<Record<string, string>>;
  /**
   * Plain environment of the runtime container (secrets are separate: config.secrets). Values
   * are already escaped for Terraform's template syntax (`$${`), so put them in strings as is.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** The stack being synthesized, for a target with `stacks`. @default - the only stack */
  readonly part?: string;
  /**
   * A `terraform_remote_state` data source, in `stack`, on the state of an earlier stack of the
   * same deployment (`id` is its logical ID): how a later stack reads what an earlier one made.
   * @default - absent for a target with one stack
   */
  readonly remoteState?: (part: string, id: string) => TerraformRemoteState;
  /** Terminated or running (and restoring). */
  readonly lifecycle: StackLifecycle;
  /**
   * Says the stack needs Terraform `version` (`x.y.z`) or newer, for a language feature it uses.
   * The stack's `terraform.required_version` is the newest of these, the backend's and bentoctl's
   * own minimum; `plan` and `apply` refuse an older binary with it.
   */
  requireTerraform(version: string): void;
  /**
   * Puts `bytes` beside the stack file as `assets/<name>` (STACK_ASSETS_DIR) and returns the
   * path Terraform reads it at (`${path.module}/assets/<name>`). The bytes must depend only on
   * the inputs, so that `generate` stays byte-identical.
   */
  addAsset(name: string, bytes: Uint8Array): string;
}

/** Adds a target's providers, resources and outputs (at least `endpoint`) to the stack. */
export type Synthesizer<Spec> = (input: SynthInput<Spec>) => void;
