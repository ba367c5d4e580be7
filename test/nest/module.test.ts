// MeshModule on real Nest applications (NestFactory), not only the testing module.
import 'reflect-metadata';
import { Controller, Injectable, Module, Scope } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMesh, Mesh, OnEvent, Publish, type MeshEvent } from '../../src/index.js';
import { InjectMesh, MESH, MeshClient, MeshModule } from '../../nest/index.js';
import { deferred, expectRejectCode, until } from '../support/expect-code.js';
import { bootedApps, warningLogger } from './nest-apps.js';

const { apps, boot } = bootedApps();

@Injectable()
class Pricing {
  total(qty: number): number {
    return qty * 10;
  }
}

@Injectable()
class Billing {
  readonly seen: string[] = [];

  // Class-typed injection: vitest's transform emits design:paramtypes for these files.
  constructor(readonly pricing: Pricing) {}

  @OnEvent('com.shop.order.*')
  onOrder(event: MeshEvent<{ qty: number }>): void {
    this.seen.push(event.type);
    void this.invoice(event.data.qty);
  }

  @Publish('com.shop.invoice.created')
  async invoice(qty: number): Promise<{ total: number }> {
    return { total: this.pricing.total(qty) };
  }
}

@Controller()
class Audit {
  readonly invoices: unknown[] = [];

  @OnEvent('com.shop.invoice.#')
  onInvoice(event: MeshEvent): void {
    this.invoices.push(event.data);
  }
}

@Module({ providers: [Billing, Pricing], controllers: [Audit] })
class ShopModule {}

describe('MeshModule.forRoot', () => {
  it('binds @OnEvent on providers and controllers and @Publish with the provider\'s injected services', async () => {
    @Module({ imports: [MeshModule.forRoot({ id: 'shop' }), ShopModule] })
    class AppModule {}
    const app = await boot(AppModule);
    const mesh = app.get<Mesh>(MESH);
    expect(mesh.id).toBe('shop');
    expect(app.get(Mesh)).toBe(mesh);

    mesh.emit('com.shop.order.created', { qty: 3 });
    const audit = app.get(Audit);
    await until(() => audit.invoices.length === 1);
    expect(app.get(Billing).seen).toEqual(['com.shop.order.created']);
    expect(audit.invoices).toEqual([{ total: 30 }]);
  });

  it('injects the mesh with @InjectMesh() in a module that does not import MeshModule (global)', async () => {
    @Injectable()
    class Sender {
      constructor(@InjectMesh() readonly mesh: Mesh) {}
    }
    @Module({ providers: [Sender], exports: [Sender] })
    class FeatureModule {}
    @Module({ imports: [FeatureModule, MeshModule.forRoot()] })
    class AppModule {}
    const app = await boot(AppModule);
    expect(app.get(Sender).mesh).toBe(app.get(MESH));
  });

  it('starts the mesh with the app and closes it with app.close(), draining a handler in flight', async () => {
    const release = deferred();
    const finished: string[] = [];
    @Injectable()
    class Slow {
      @OnEvent('com.shop.slow')
      async onSlow(): Promise<void> {
        await release.promise;
        finished.push('slow');
      }
    }
    @Module({ imports: [MeshModule.forRoot({ listen: { port: 0 } })], providers: [Slow] })
    class AppModule {}
    const app = await boot(AppModule);
    const mesh = app.get<Mesh>(MESH);
    expect(mesh.address?.port).toBeGreaterThan(0); // started: the listener is bound
    mesh.emit('com.shop.slow');
    apps.splice(apps.indexOf(app), 1);
    let closed = false;
    const closing = app.close().then(() => {
      closed = true;
    });
    // Once the mesh refuses new events it is closing: the app's close now waits on its drain.
    await until(() => mesh.publish('com.shop.probe').then(() => false, () => true), 5000);
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toEqual(['slow']);
    await expectRejectCode(mesh.publish('com.shop.after'), 'ERR_MESH_CLOSED');
  });

  it('uses an existing mesh given as { mesh } and leaves it open when the app closes', async () => {
    const mesh = createMesh();
    @Module({ imports: [MeshModule.forRoot({ mesh }), ShopModule] })
    class AppModule {}
    const app = await boot(AppModule);
    expect(app.get(MESH)).toBe(mesh);
    mesh.emit('com.shop.order.created', { qty: 1 });
    await until(() => app.get(Audit).invoices.length === 1);
    apps.splice(0);
    await app.close();
    // The app's subscriptions are gone, the mesh itself still works.
    const after: string[] = [];
    mesh.subscribe('com.shop.order.*', (e) => void after.push(e.type));
    mesh.emit('com.shop.order.created', { qty: 1 });
    expect(after).toEqual(['com.shop.order.created']);
    expect(app.get(Billing).seen).toEqual(['com.shop.order.created']);
    await mesh.close();
  });

  it('binds @OnEvent methods inherited from a base class, and several @OnEvent on one method', async () => {
    const seen: string[] = [];
    class BaseListener {
      @OnEvent('com.base.created')
      @OnEvent('com.base.deleted')
      onBase(event: MeshEvent): void {
        seen.push(`base ${event.type}`);
      }
    }
    @Injectable()
    class ChildListener extends BaseListener {
      @OnEvent('com.child.*')
      onChild(event: MeshEvent): void {
        seen.push(`child ${event.type}`);
      }
    }
    @Module({ imports: [MeshModule.forRoot()], providers: [ChildListener] })
    class AppModule {}
    const mesh = (await boot(AppModule)).get<Mesh>(MESH);
    mesh.emit('com.base.created');
    mesh.emit('com.base.deleted');
    mesh.emit('com.child.born');
    expect(seen).toEqual(['base com.base.created', 'base com.base.deleted', 'child com.child.born']);
  });

  it('skips request-scoped providers with a warning instead of binding a stray instance', async () => {
    const seen: string[] = [];
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @OnEvent('com.scoped.*')
      onScoped(event: MeshEvent): void {
        seen.push(event.type);
      }
    }
    @Module({ imports: [MeshModule.forRoot()], providers: [PerRequest] })
    class AppModule {}
    const { logger, warnings } = warningLogger();
    const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
    apps.push(app);
    await app.init();
    app.get<Mesh>(MESH).emit('com.scoped.event');
    expect(seen).toEqual([]);
    expect(warnings.some((w) => w.startsWith('PerRequest:'))).toBe(true);
  });

  it('fails the bootstrap with ERR_MESH_INVALID_OPTIONS for bad createMesh options', async () => {
    @Module({ imports: [MeshModule.forRoot({ closeTimeout: -1 })] })
    class AppModule {}
    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });
});

describe('MeshClient through ClientsModule', () => {
  it('is built by ClientsModule.registerAsync on the module\'s mesh: emit reaches @OnEvent, send is answered by one', async () => {
    @Injectable()
    class Stock {
      readonly restocked: unknown[] = [];

      @OnEvent('com.stock.restocked')
      onRestock(event: MeshEvent): void {
        this.restocked.push(event.data);
      }

      // An @OnEvent handler's return value answers a request, as with mesh.subscribe.
      @OnEvent('com.stock.level')
      level(event: MeshEvent<{ sku: string }>): { sku: string; left: number } {
        return { sku: event.data.sku, left: 4 };
      }
    }
    @Module({
      imports: [
        MeshModule.forRoot(),
        ClientsModule.registerAsync([{
          name: 'STOCK',
          inject: [MESH],
          useFactory: (mesh: Mesh) => ({ customClass: MeshClient, options: { mesh, timeout: 1000 } }),
        }]),
      ],
      providers: [Stock],
    })
    class AppModule {}
    const app = await boot(AppModule);
    const client = app.get<ClientProxy>('STOCK');
    expect(client).toBeInstanceOf(MeshClient);
    await lastValueFrom(client.emit('com.stock.restocked', { sku: 'a' }));
    expect(app.get(Stock).restocked).toEqual([{ sku: 'a' }]);
    await expect(firstValueFrom(client.send('com.stock.level', { sku: 'a' }))).resolves.toEqual({ sku: 'a', left: 4 });
  });
});

describe('MeshModule.forRootAsync', () => {
  it('builds the mesh from a config provider of an imported module', async () => {
    @Injectable()
    class MeshConfig {
      readonly nodeId = 'from-config';
    }
    @Module({ providers: [MeshConfig], exports: [MeshConfig] })
    class ConfigModule {}

    @Module({
      imports: [
        MeshModule.forRootAsync({
          imports: [ConfigModule],
          inject: [MeshConfig],
          useFactory: async (config: MeshConfig) => ({ id: config.nodeId, source: '/async' }),
        }),
        ShopModule,
      ],
    })
    class AppModule {}
    const app = await boot(AppModule);
    const mesh = app.get<Mesh>(MESH);
    expect(mesh.id).toBe('from-config');
    expect(mesh.source).toBe('/async');
    const event = await mesh.publish('com.shop.order.created', { qty: 2 });
    expect(event.source).toBe('/async');
    await until(() => app.get(Audit).invoices.length === 1);
    expect(app.get(Audit).invoices).toEqual([{ total: 20 }]);
  });
});
