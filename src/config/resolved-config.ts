import type { BentoReference } from '../bento/locate.js';
import type { DeploymentConfigData } from './schema.js';

/** A validated config with every default applied, plus where it came from. */
export interface ResolvedConfig extends Omit<DeploymentConfigData, 'spec'> {
  /** The target's spec after its own schema applied defaults. */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly source: {
    /** The config file as given on the command line. */
    readonly file: string;
    /** Absolute folder of the config file; relative paths in it resolve from here. */
    readonly dir: string;
  };
  readonly bentoReference: BentoReference;
}
