/**
 * The local bento store: `<home>/bentos/<service>/<version>/`, a copy of the bento's content
 * files plus `.bentoctl/build.json` describing it. Versions are content hashes, so storing the
 * same bento twice is a no-op and a stored version never changes.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { listBentoFiles } from './content-hash.js';
import { storedBentoPath } from './home.js';
import type { BentoManifest } from './manifest.js';
import type { ModelSignature } from './signature.js';

export const BUILD_INFO = join('.bentoctl', 'build.json');

export interface StoredBento {
  readonly service: string;
  readonly version: string;
  /** `service:version`, what a deployment config's `bento:` accepts. */
  readonly reference: string;
  readonly path: string;
  readonly source: string;
  readonly createdAt: string;
  readonly sizeBytes: number;
  readonly models: readonly {
    readonly name: string;
    readonly path: string;
    readonly signature: ModelSignature;
  }[];
  readonly apis: readonly {
    readonly name: string;
    readonly model: string;
    readonly batchable: boolean;
  }[];
}

/** Copies the bento into the store unless that version is already there. */
export function storeBento(
  home: string,
  manifest: BentoManifest,
  signatures: ReadonlyMap<string, ModelSignature>,
  now: Date = new Date(),
): { readonly stored: StoredBento; readonly created: boolean } {
  const target = storedBentoPath(home, manifest.service, manifest.version);
  if (existsSync(join(target, BUILD_INFO))) return { stored: readStored(target), created: false };
  const files = listBentoFiles(manifest.dir);
  // Copy into a temporary sibling and rename, so a stored version is complete or absent.
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  let sizeBytes = 0;
  for (const name of files) {
    const destination = join(staging, name);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(join(manifest.dir, name), destination);
    sizeBytes += statSync(destination).size;
  }
  const info: StoredBento = {
    service: manifest.service,
    version: manifest.version,
    reference: `${manifest.service}:${manifest.version}`,
    path: target,
    source: manifest.dir,
    createdAt: now.toISOString(),
    sizeBytes,
    models: manifest.models.map((model) => ({
      name: model.name,
      path: model.path,
      signature: signatures.get(model.name) ?? { inputs: [], outputs: [] },
    })),
    apis: manifest.apis.map((api) => ({
      name: api.name,
      model: api.model,
      batchable: api.batchable,
    })),
  };
  mkdirSync(join(staging, '.bentoctl'), { recursive: true });
  writeFileSync(join(staging, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return { stored: info, created: true };
}

/** Every stored bento version, newest first within a service, services by name. */
export function listStoredBentos(home: string): StoredBento[] {
  const root = join(home, 'bentos');
  if (!existsSync(root)) return [];
  const out: StoredBento[] = [];
  for (const service of readdirSync(root, { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    const versions: StoredBento[] = [];
    for (const version of readdirSync(join(root, service.name), { withFileTypes: true })) {
      const path = join(root, service.name, version.name);
      if (version.isDirectory() && existsSync(join(path, BUILD_INFO)))
        versions.push(readStored(path));
    }
    versions.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    out.push(...versions);
  }
  return out.sort((a, b) => (a.service === b.service ? 0 : a.service < b.service ? -1 : 1));
}

function readStored(path: string): StoredBento {
  const info = JSON.parse(readFileSync(join(path, BUILD_INFO), 'utf8')) as StoredBento;
  return { ...info, path };
}
