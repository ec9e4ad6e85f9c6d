/** google-cloud-run: Cloud Logging for the logs, the Cloud Run Admin API for the status. */
import type { ResolvedConfig } from '../config/resolved-config.js';
import { cloudRunNames } from '../targets/google-cloud-run/names.js';
import { cloudRunLogSource } from './cloud-run-logs.js';
import { cloudRunStatus } from './cloud-run-status.js';
import { googleApi, type GoogleApiDependencies } from './google-api.js';
import type { CloudObserver } from './observer.js';

export function cloudRunObserver(
  config: ResolvedConfig,
  dependencies: GoogleApiDependencies,
): CloudObserver {
  const where = {
    project: String(config.spec.project),
    region: String(config.spec.region),
    service: cloudRunNames(config.name).service,
    call: googleApi(dependencies),
  };
  return {
    logs: async () => cloudRunLogSource(where),
    status: () => cloudRunStatus(where),
  };
}
