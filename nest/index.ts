// The public surface of `evmesh/nest`, listed by name. `OnEvent` and `Publish` come
// from `evmesh`: this entry imports the kernel by relative path (unbundled build),
// so both read and write the same decorator metadata.
export { MeshModule } from './mesh.module.js';
export type { ExistingMesh, MeshModuleAsyncOptions, MeshModuleOptions, MeshSource } from './mesh.options.js';
export { InjectMesh } from './inject-mesh.js';
export { MESH, MESH_TRANSPORT } from './mesh.constants.js';
export { MeshServer } from './mesh.server.js';
export type { MeshServerOptions, MeshStatus, MeshTransportEvents } from './mesh.server.js';
export { MeshClient } from './mesh.client.js';
export type { MeshClientOptions } from './mesh.client.js';
export { MeshContext } from './mesh.context.js';
export type { MeshContextArgs } from './mesh.context.js';
export { RPC_ERROR_KEY } from './rpc-error.js';
export { MeshHealthIndicator } from './mesh-health.indicator.js';
export type { MeshHealthIndicatorResult } from './mesh-health.indicator.js';
