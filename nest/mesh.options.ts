import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { Mesh, MeshOptions } from '../src/index.js';

/** An existing mesh: used as is, started if needed, never closed by evmesh/nest (its owner closes it). */
export interface ExistingMesh {
  readonly mesh: Mesh;
}

/** `createMesh` options (evmesh/nest creates, starts and closes the mesh), or `{ mesh }`. */
export type MeshSource = MeshOptions | ExistingMesh;

export type MeshModuleOptions = MeshSource;

/** `MeshModule.forRootAsync`: options computed by a factory with injected dependencies. */
export interface MeshModuleAsyncOptions {
  /** Modules whose exported providers `inject` names. */
  readonly imports?: ModuleMetadata['imports'];
  readonly useFactory: (...args: never[]) => MeshModuleOptions | Promise<MeshModuleOptions>;
  /** Tokens resolved and passed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
}

export function isExistingMesh(source: MeshSource | undefined): source is ExistingMesh {
  return typeof source === 'object' && source !== null && 'mesh' in source && source.mesh !== undefined;
}
