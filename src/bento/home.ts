import { homedir } from 'node:os';
import { join } from 'node:path';

/** bentoctl's own folder: `$BENTOCTL_HOME`, else `~/.bentoctl`. */
export function bentoctlHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENTOCTL_HOME && env.BENTOCTL_HOME !== ''
    ? env.BENTOCTL_HOME
    : join(homedir(), '.bentoctl');
}

/** Where `bentoctl bento build` stores a bento version: `<home>/bentos/<name>/<version>/`. */
export function storedBentoPath(home: string, name: string, version: string): string {
  return join(home, 'bentos', name, version);
}
