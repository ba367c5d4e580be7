/**
 * Injection tokens. Plain strings, identical in every copy of `evmesh/nest` (ESM,
 * CJS), so a provider written against one copy resolves in an app built with the other.
 */
export const MESH = 'evmesh:mesh';
/** @internal The resolved `forRoot` / `forRootAsync` options. */
export const MESH_MODULE_OPTIONS = 'evmesh:mesh-module-options';
/** @internal The module's mesh with what it needs to run it (ownership, startup gate). */
export const MESH_HOST = 'evmesh:mesh-host';
/**
 * The transport id of `MeshServer`: `@EventPattern(pattern, MESH_TRANSPORT, extras)`
 * binds a handler to the mesh server only, in an app with several transports.
 */
export const MESH_TRANSPORT: unique symbol = Symbol.for('evmesh.transport');
