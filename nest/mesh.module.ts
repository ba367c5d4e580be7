import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Mesh } from '../src/index.js';
import { MESH, MESH_HOST, MESH_MODULE_OPTIONS } from './mesh.constants.js';
import { createMeshHost, type MeshHost } from './mesh.host.js';
import type { MeshModuleAsyncOptions, MeshModuleOptions } from './mesh.options.js';
import { MeshSubscribersLoader } from './mesh-subscribers.loader.js';
import { MeshHealthIndicator } from './mesh-health.indicator.js';

/**
 * Provides the `Mesh` (inject with `@InjectMesh()`, or by its class), binds every
 * provider's and controller's `@OnEvent`/`@Publish` methods, starts the mesh with
 * the app and closes it (draining handlers) when the app closes. Global. Also provides
 * `MeshHealthIndicator` for `@nestjs/terminus` health checks.
 */
@Global()
@Module({})
export class MeshModule {
  /** `options` are `createMesh` options, or `{ mesh }` to run an existing mesh (never closed here). */
  static forRoot(options: MeshModuleOptions = {}): DynamicModule {
    return build([{ provide: MESH_MODULE_OPTIONS, useValue: options }], []);
  }

  /** Options from a factory, e.g. reading a config service: `{ imports, useFactory, inject }`. */
  static forRootAsync(options: MeshModuleAsyncOptions): DynamicModule {
    const provider: Provider = { provide: MESH_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] };
    return build([provider], options.imports ?? []);
  }
}

function build(optionsProviders: Provider[], imports: NonNullable<DynamicModule['imports']>): DynamicModule {
  return {
    module: MeshModule,
    global: true,
    imports: [DiscoveryModule, ...imports],
    providers: [
      ...optionsProviders,
      { provide: MESH_HOST, useFactory: (options: MeshModuleOptions) => createMeshHost(options, 'MeshModule'), inject: [MESH_MODULE_OPTIONS] },
      { provide: MESH, useFactory: (host: MeshHost) => host.mesh, inject: [MESH_HOST] },
      // Also injectable by class, for apps whose compiler emits decorator metadata.
      { provide: Mesh, useExisting: MESH },
      MeshSubscribersLoader,
      // Needs @nestjs/terminus only in the app that calls it: nothing of terminus is imported here.
      MeshHealthIndicator,
    ],
    exports: [MESH, Mesh, MeshHealthIndicator],
  };
}
