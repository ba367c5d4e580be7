// Startup on real Nest applications: nothing published before the listeners are
// bound is lost, and a bootstrap that fails releases the mesh.
import 'reflect-metadata';
import { createServer, type AddressInfo } from 'node:net';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { OnEvent, type Mesh, type MeshEvent } from '../../src/index.js';
import { MESH, MeshModule } from '../../nest/index.js';
import { expectRejectCode } from '../support/expect-code.js';
import { bootedApps } from './nest-apps.js';

const { boot } = bootedApps();

describe('a bootstrap that fails', () => {
  it('rejects app.init() when the mesh cannot start, and releases what it opened', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      @Module({ imports: [MeshModule.forRoot({ listen: { port } })] })
      class AppModule {}
      const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
      const mesh = app.get<Mesh>(MESH);
      await expect(app.init()).rejects.toMatchObject({ code: 'ERR_MESH_LISTEN_FAILED' });
      await expectRejectCode(mesh.publish('com.shop.after'), 'ERR_MESH_CLOSED');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('rejects forRootAsync options from the factory that createMesh refuses (ERR_MESH_INVALID_OPTIONS)', async () => {
    @Module({ imports: [MeshModule.forRootAsync({ useFactory: () => ({ id: '' }) })] })
    class AppModule {}
    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });
});

describe('events published before the listeners are bound', () => {
  it('are delivered once they are: from a provider constructor and from onModuleInit in another module', async () => {
    @Injectable()
    class EarlyPublisher implements OnModuleInit {
      constructor(@Inject(MESH) private readonly mesh: Mesh) {
        mesh.emit('com.shop.boot.constructed', { from: 'constructor' });
      }

      onModuleInit(): void {
        this.mesh.emit('com.shop.boot.initialised', { from: 'onModuleInit' });
      }
    }
    // Declared (and initialised) before the listener's module.
    @Module({ providers: [EarlyPublisher] })
    class PublisherModule {}

    @Injectable()
    class BootListener {
      readonly seen: string[] = [];

      @OnEvent('com.shop.boot.*')
      onBoot(event: MeshEvent): void {
        this.seen.push(event.type);
      }
    }
    @Module({ providers: [BootListener] })
    class ListenerModule {}

    @Module({ imports: [PublisherModule, ListenerModule, MeshModule.forRoot()] })
    class AppModule {}
    const app = await boot(AppModule);
    expect(app.get(BootListener).seen).toEqual(['com.shop.boot.constructed', 'com.shop.boot.initialised']);
  });
});
