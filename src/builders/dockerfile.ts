/**
 * Renders the image's Dockerfile from `templates/Dockerfile` (or `Dockerfile.cuda` for a GPU
 * image on the default CUDA base). Templates use `{{NAME}}` placeholders; rendering fails on
 * any left unfilled, so a template and this code cannot drift apart silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors/index.js';
import { packageRoot } from '../package-root.js';

export const DOCKERFILE_TEMPLATES = ['Dockerfile', 'Dockerfile.cuda'] as const;
export type DockerfileTemplate = (typeof DOCKERFILE_TEMPLATES)[number];

export interface DockerfileInput {
  readonly template: DockerfileTemplate;
  readonly baseImage: string;
  /** The image node is copied from (Dockerfile.cuda only). */
  readonly nodeImage: string;
  readonly port: number;
  /** The gRPC port (`runtime.grpc`), exposed after `port`. @default - only `port` is exposed */
  readonly grpcPort?: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/** The template's file in the package's `templates/`. */
export function templatePath(template: DockerfileTemplate): string {
  return join(packageRoot(), 'templates', template);
}

export function renderDockerfile(input: DockerfileInput): string {
  const values: Record<string, string> = {
    BASE_IMAGE: input.baseImage,
    NODE_IMAGE: input.nodeImage,
    PORT: String(input.port),
    EXPOSED_PORTS:
      input.grpcPort === undefined ? String(input.port) : `${input.port} ${input.grpcPort}`,
    LABELS: renderLabels(input.labels),
  };
  const file = templatePath(input.template);
  const rendered = readFileSync(file, 'utf8').replace(
    /\{\{([A-Z_]+)\}\}/g,
    (whole, name: string) => values[name] ?? whole,
  );
  const left = /\{\{[A-Z_]+\}\}/.exec(rendered);
  if (left !== null)
    throw errors.internal(`${file} has a placeholder bentoctl does not fill: ${left[0]}`);
  return rendered;
}

/** One LABEL instruction, a label per line, sorted so the Dockerfile is stable. */
export function renderLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  const lines = entries.map(([key, value]) => `${quote(key)}=${quote(value)}`);
  return `LABEL ${lines.join(' \\\n      ')}`;
}

/**
 * A double-quoted Dockerfile word. `\`, `"` and `$` are escaped (LABEL expands variables) and
 * line breaks flattened, since an escaped newline would continue the instruction.
 */
function quote(value: string): string {
  return `"${value.replace(/[\r\n]+/g, ' ').replace(/[\\"$]/g, '\\$&')}"`;
}
