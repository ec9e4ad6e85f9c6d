/** Types for scripts/lib/runtime-build-options.js, so tests bundle the runtime as the build does. */
import type { BuildOptions } from 'esbuild';

export const RUNTIME_ENTRY_POINTS: readonly string[];
export function runtimeBuildOptions(sourceDir: string, extension: '.js' | '.ts'): BuildOptions;
