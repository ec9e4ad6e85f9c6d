/**
 * Shows the engine's progress: on a terminal, build steps as lines plus one live line for layer
 * pulls/pushes; elsewhere (CI, pipes) only steps and each layer's final status, so logs stay
 * short and free of progress bars.
 */
import type { DockerProgressEvent } from './docker-stream.js';

export type ProgressPhase = 'pull' | 'build' | 'push';

export interface ProgressReporter {
  event(phase: ProgressPhase, event: DockerProgressEvent): void;
  /** Clears the live line; call before printing anything else. */
  finish(): void;
}

export interface ProgressOptions {
  /** A terminal that can redraw a line. */
  readonly interactive: boolean;
  readonly write: (text: string) => void;
}

/** Layer statuses worth a line in plain logs: where each layer ended up. */
const FINAL_STATUS =
  /^(Pushed|Layer already exists|Mounted from .*|Pull complete|Already exists|Download complete)$/;
const STEP_LINE = /^Step \d+\/\d+ : /;

/** Interactive when stderr is a TTY and CI is not set, as most CLIs decide. */
export function isInteractive(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === '' || env.CI === 'false');
}

export function progressReporter(options: ProgressOptions): ProgressReporter {
  const { interactive, write } = options;
  const layers = new Map<string, string>();
  let live = false;
  let currentPhase: ProgressPhase | undefined;
  const clear = (): void => {
    if (live) write('\r\u001b[K');
    live = false;
  };
  const line = (text: string): void => {
    clear();
    write(`${text}\n`);
  };
  return {
    event(phase, event) {
      if (event.stream !== undefined) {
        for (const text of event.stream.split('\n')) {
          if (text.trim() === '') continue;
          // Steps always; other build output (RUN steps of custom templates) on terminals only.
          if (STEP_LINE.test(text)) line(`  ${text}`);
          else if (interactive && !text.startsWith(' ---> ')) line(`    ${text}`);
        }
        return;
      }
      if (event.status === undefined) return;
      if (event.id === undefined || !/^[0-9a-f]{12}$/.test(event.id)) {
        // Whole-image messages: "The push refers to repository ...", "<tag>: digest: ...".
        if (!/^(Waiting|Preparing)$/.test(event.status)) line(`  ${event.status}`);
        return;
      }
      if (phase !== currentPhase) layers.clear();
      currentPhase = phase;
      const status = event.progress ? `${event.status} ${event.progress}` : event.status;
      layers.set(event.id, status);
      if (!interactive) {
        if (FINAL_STATUS.test(event.status)) line(`  ${phase} ${event.id}: ${event.status}`);
        return;
      }
      const done = [...layers.values()].filter((value) => FINAL_STATUS.test(value)).length;
      clear();
      write(`  ${phase}: ${done}/${layers.size} layers done; ${event.id} ${truncate(status, 90)}`);
      live = true;
    },
    finish: clear,
  };
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
