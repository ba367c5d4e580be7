/**
 * The only place the benchmarks touch the kernel. The import is dynamic so that the
 * competitor cases still run (and the harness can be verified) while src/ is unfinished:
 * an evmesh case whose kernel cannot load fails on its own row instead of killing the run.
 * The types come from the real src/index.ts, so the benchmarks typecheck against the
 * public API the kernel actually exports.
 */
import type * as KernelModule from '../src/index.js';

export type Kernel = typeof KernelModule;
export type Mesh = ReturnType<Kernel['createMesh']>;

export async function loadKernel(): Promise<Kernel> {
  try {
    return await import('../src/index.js');
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`evmesh kernel not loadable from src/index.ts: ${msg}`, { cause: err });
  }
}
