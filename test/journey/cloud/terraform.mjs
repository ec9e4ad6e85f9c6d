// The release journey's cloud boundary, on PATH as `terraform` (through a two-line sh wrapper the
// test writes). bentoctl runs unchanged: it generates the real stack, then runs terraform in the
// stack folder. The generated stack needs a cloud provider, which cannot be installed here, so
// before handing over to the real terraform this swaps a generated (provider-bearing)
// `main.tf.json` for a provider-free stand-in: one `terraform_data.service` holding the image
// and the container environment the generated stack pins, the same backend block (the shared
// state), and an `endpoint` output served by the journey's stand-in platform, which runs that
// image in the private Docker engine. The generated stack is kept in JOURNEY_CLOUD_DIR for the
// test to check, and one line per swap goes to JOURNEY_CLOUD_DIR/terraform.log.
//
// Plain JavaScript (not TypeScript): it runs under the node on PATH, outside vitest.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const STACK_FILE = 'main.tf.json';
const cloudDir = required('JOURNEY_CLOUD_DIR');
const realTerraform = required('JOURNEY_REAL_TERRAFORM');
const platformUrl = required('JOURNEY_PLATFORM_URL');

const stackFile = join(process.cwd(), STACK_FILE);
if (existsSync(stackFile)) swapForStandIn(stackFile);

const child = spawn(realTerraform, process.argv.slice(2), { stdio: 'inherit' });
// bentoctl forwards Ctrl-C to terraform: pass it on, and exit as terraform does.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));

function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`journey terraform stand-in: ${name} is not set`);
    process.exit(1);
  }
  return value;
}

function swapForStandIn(file) {
  const generated = JSON.parse(readFileSync(file, 'utf8'));
  // A stand-in (or any provider-free stack) is run as it is.
  if (generated.provider === undefined && generated.terraform?.required_providers === undefined)
    return;
  const container = findContainer(generated);
  if (container === undefined) fail(`${file}: no container with an image and an environment`);
  const local = generated.terraform?.backend?.local?.path;
  if (typeof local !== 'string') fail(`${file}: the journey needs a local state backend (state:)`);
  // The deployment folder's name: `<deployment>/stack`.
  const deployment = basename(dirname(process.cwd()));
  const environment = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
  const resources = Object.entries(generated.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => `${type}.${name}`),
  );
  const kept = join(cloudDir, `${deployment}-generated-${Date.now()}.tf.json`);
  copyFileSync(file, kept);
  const standIn = {
    '//': `provider-free stand-in for the generated stack kept in ${kept}`,
    terraform: { backend: generated.terraform.backend },
    resource: {
      terraform_data: {
        service: {
          input: { deployment, image: container.image, environment, stands_in_for: resources },
        },
      },
    },
    output: {
      endpoint: { value: `${platformUrl}/${deployment}` },
      image: { value: container.image },
    },
  };
  writeFileSync(file, `${JSON.stringify(standIn, null, 2)}\n`);
  appendFileSync(
    join(cloudDir, 'terraform.log'),
    `${JSON.stringify({ deployment, state: local, image: container.image, resources: resources.length, kept, args: process.argv.slice(2) })}\n`,
  );
}

/** The first object with an `image` string and an `environment` list, JSON strings included. */
function findContainer(value) {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text.startsWith('[') && !text.startsWith('{')) return undefined;
    try {
      return findContainer(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (typeof value.image === 'string' && Array.isArray(value.environment)) return value;
  for (const item of Object.values(value)) {
    const found = findContainer(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

function fail(message) {
  console.error(`journey terraform stand-in: ${message}`);
  process.exit(1);
}
