/** Everything a workflow step needs to know about the deployment it runs on. */
import type { DeploymentPaths } from '../config/deployment-paths.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { PlanSummary } from '../terraform/plan-summary.js';
import type { StackWriter } from '../terraform/stack-writer.js';
import type { SignalSource } from '../terraform/runner.js';
import type { Terraform } from '../terraform/terraform.js';
import type { DeployingCommand } from './approval.js';

/** The command a run belongs to, for the messages that name it (DEPLOYMENT_TERMINATED). */
export type RunCommand = 'plan' | DeployingCommand;

export interface DeploymentRun {
  readonly config: ResolvedConfig;
  readonly paths: DeploymentPaths;
  readonly terraform: Terraform;
  /** Produces the stack folder; undefined uses the stack already there (`--no-generate`). */
  readonly writeStack: StackWriter | undefined;
  /** Progress lines for the user ("Planning..."), not data. */
  readonly progress: (line: string) => void;
  /** The signals that stop the run; terraform gets them too. @default none */
  readonly interrupts?: SignalSource;
  /** The command this run belongs to. @default 'apply' */
  readonly command?: RunCommand;
}

/** How apply and destroy get their go-ahead after the plan is shown. */
export interface Approval {
  /** Called with every plan before anything changes, e.g. to print it. */
  readonly review: (summary: PlanSummary) => void;
  /** Called only when the plan changes something; false cancels. */
  readonly confirm: (summary: PlanSummary) => Promise<boolean>;
}
