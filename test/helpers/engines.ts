/**
 * useEngines(): one private dockerd + one registry (+ the node base image) per integration test
 * file. Deliberately not a vitest globalSetup: unit-test runs must not pay for a dockerd.
 *
 * Usage, at describe level:
 *
 *   describe('image build', () => {
 *     const engines = useEngines();
 *     it('builds', async () => {
 *       await engines.docker.buildImage(...);   // FROM ${engines.baseImage}
 *     });
 *   });
 *
 * The returned object is filled in beforeAll, so read its fields inside tests and hooks only.
 * When dockerd/docker-registry/root are missing, every test in the describe is skipped with
 * the reason (and a banner on stderr); under CI=true the file fails instead.
 */
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { ensureBaseImage } from './base-image.js';
import { skipReasonOrThrow } from './daemon.js';
import { dockerEngineProblems, startDockerEngine, type DockerEngine } from './docker-engine.js';
import { registryProblems, startRegistry, type Registry } from './registry.js';

export interface EngineTimings {
  engineStartMs: number;
  registryStartMs: number;
  baseImageMs: number;
}

export interface Engines {
  docker: Dockerode;
  dockerHost: string;
  socketPath: string;
  engineLog: string;
  registry: Registry;
  /** Name of the imported node base image, for FROM lines. */
  baseImage: string;
  timings: EngineTimings;
}

/** Skip reason for suites that need both daemons; undefined when they can run. Throws under CI=true. */
export function enginesSkipReason(): string | undefined {
  return skipReasonOrThrow('integration tests (dockerd + registry)', [
    ...dockerEngineProblems(),
    ...registryProblems(),
  ]);
}

/** Above startup + a cold base-image import on vfs, which copies ~110 MB per layer. */
const SETUP_TIMEOUT_MS = 300_000;
const TEARDOWN_TIMEOUT_MS = 60_000;

export function useEngines(): Engines {
  let current: Engines | undefined;
  const handle = lazyEngines(() => current);

  const reason = enginesSkipReason();
  if (reason !== undefined) {
    beforeEach((context) => context.skip(reason));
    return handle;
  }

  let engine: DockerEngine | undefined;
  let registry: Registry | undefined;
  const stopAll = async (): Promise<void> => {
    const results = await Promise.allSettled([engine?.stop(), registry?.stop()]);
    engine = undefined;
    registry = undefined;
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, 'stopping test engines failed');
  };

  beforeAll(async () => {
    try {
      const engineStart = timed(startDockerEngine());
      const registryStart = timed(startRegistry());
      // allSettled, not all: whichever started must still be stopped if the other failed.
      const [e, r] = await Promise.allSettled([engineStart, registryStart]);
      if (e.status === 'fulfilled') engine = e.value.value;
      if (r.status === 'fulfilled') registry = r.value.value;
      if (e.status === 'rejected') throw e.reason;
      if (r.status === 'rejected') throw r.reason;
      if (!engine || !registry) throw new Error('unreachable: engines missing after start');
      const base = await timed(ensureBaseImage(engine.docker));
      current = {
        docker: engine.docker,
        dockerHost: engine.dockerHost,
        socketPath: engine.socketPath,
        engineLog: engine.logFile,
        registry,
        baseImage: base.value,
        timings: {
          engineStartMs: e.value.ms,
          registryStartMs: r.value.ms,
          baseImageMs: base.ms,
        },
      };
    } catch (error) {
      await stopAll().catch(() => undefined);
      throw error;
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    current = undefined;
    await stopAll();
  }, TEARDOWN_TIMEOUT_MS);

  return handle;
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work;
  return { value, ms: Math.round(performance.now() - start) };
}

/** Getters so a suite can hold the handle at describe level before beforeAll has run. */
function lazyEngines(get: () => Engines | undefined): Engines {
  const read = (): Engines => {
    const engines = get();
    if (!engines) {
      throw new Error('useEngines(): engines exist only between beforeAll and afterAll');
    }
    return engines;
  };
  return {
    get docker() {
      return read().docker;
    },
    get dockerHost() {
      return read().dockerHost;
    },
    get socketPath() {
      return read().socketPath;
    },
    get engineLog() {
      return read().engineLog;
    },
    get registry() {
      return read().registry;
    },
    get baseImage() {
      return read().baseImage;
    },
    get timings() {
      return read().timings;
    },
  };
}
