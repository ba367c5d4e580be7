// MeshServer as a Nest microservice transport, on real applications made with
// NestFactory.createMicroservice / create + connectMicroservice.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, Scope } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type MeshError } from '../../src/index.js';
import { MeshClient, MeshServer } from '../../nest/index.js';
import { sqliteStore } from '../../adapters/sqlite/index.js';
import { until } from '../support/expect-code.js';
import { counters, seen, useShop } from './shop.fixture.js';

const { closers, microservice, shop } = useShop();

describe('MeshServer', () => {
  it('routes each event to every handler whose mesh pattern matches, wildcards included', async () => {
    const { mesh } = await shop();
    mesh.emit('com.shop.order.created', { id: 1 });
    mesh.emit('com.shop.order.paid', { id: 2 });
    mesh.emit('com.shop.invoice.sent', { id: 3 });
    mesh.emit('com.other.order.created', { id: 4 });
    await until(() => seen.length === 6);
    const byHandler = (name: string): string[] => seen.filter((s) => s.handler === name).map((s) => s.topic);
    expect(byHandler('order.*')).toEqual(['com.shop.order.created', 'com.shop.order.paid']);
    expect(byHandler('shop.#')).toEqual(['com.shop.order.created', 'com.shop.order.paid', 'com.shop.invoice.sent']);
    expect(byHandler('order.created')).toEqual(['com.shop.order.created']);
  });

  it('gives handlers a MeshContext with the topic, the pattern that matched and the event', async () => {
    const { mesh } = await shop();
    const event = mesh.emit('com.shop.order.paid', { id: 7 });
    await until(() => seen.length === 2);
    expect(seen.find((s) => s.handler === 'order.*')).toEqual({
      handler: 'order.*', topic: 'com.shop.order.paid', pattern: 'com.shop.order.*', data: { id: 7 }, attempt: 1, id: event.id,
    });
    expect(seen.find((s) => s.handler === 'shop.#')?.pattern).toBe('com.shop.#');
  });

  it('binds handlers aimed at MESH_TRANSPORT and leaves those aimed at another transport', async () => {
    const { mesh } = await shop();
    mesh.emit('com.shop.tcp.only', 1);
    mesh.emit('com.shop.targeted', 2);
    await until(() => seen.some((s) => s.handler === 'targeted'));
    await until(() => seen.filter((s) => s.handler === 'shop.#').length === 2);
    expect(seen.filter((s) => s.handler === 'targeted' || s.handler === 'tcp-only').map((s) => s.data)).toEqual([2]);
  });

  it('fails an event delivery whose handler throws, so the extras\' retry and deadLetter apply', async () => {
    const { mesh } = await shop();
    const dead: unknown[] = [];
    const errors: MeshError[] = [];
    mesh.on('error', (err) => errors.push(err));
    mesh.subscribe('com.flaky.dlq', (e) => void dead.push(e.data));
    mesh.emit('com.flaky.job', { n: 1 });
    await until(() => dead.length === 1);
    expect(counters.flakyRuns).toBe(3);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    const failed = errors.find((err) => err.code === 'ERR_MESH_HANDLER_FAILED');
    // What Nest's filter left (a plain object) is reported as an Error, with the object as its cause.
    expect(failed?.cause).toBeInstanceOf(Error);
    expect((failed?.cause as Error).cause).toEqual({ status: 'error', message: 'Internal server error' });
  });

  it('runs two controllers\' handlers of one pattern as separate subscriptions, each with its own extras', async () => {
    const runs = { once: 0, flaky: 0 };
    @Controller()
    class Once {
      @EventPattern<string>('com.dup.job')
      onJob(): void {
        runs.once += 1;
      }
    }
    @Controller()
    class Flaky {
      @EventPattern<string>('com.dup.job', { retry: { attempts: 3, backoff: 1 } })
      onJob(): void {
        runs.flaky += 1;
        if (runs.flaky < 3) throw new Error('not yet');
      }
    }
    @Module({ controllers: [Once, Flaky] })
    class DupModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(DupModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    mesh.emit('com.dup.job', {});
    await until(() => runs.flaky === 3);
    // A retry of one handler does not run the other again.
    expect(runs).toEqual({ once: 1, flaky: 3 });
  });

  it('applies a CESQL filter given in the extras', async () => {
    const seen: unknown[] = [];
    @Controller()
    class Filtered {
      @EventPattern<string>('com.sql.*', { filter: { sql: "subject LIKE 'eu-%'" } })
      onEvent(@Payload() data: unknown): void {
        seen.push(data);
      }
    }
    @Module({ controllers: [Filtered] })
    class FilteredModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(FilteredModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    mesh.emit('com.sql.one', 'us', { subject: 'us-1' });
    mesh.emit('com.sql.one', 'eu', { subject: 'eu-1' });
    mesh.emit('com.sql.two', 'none');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['eu']);
  });

  it('serves a request-scoped controller with an instance of its own per event', async () => {
    const instances = new Set<object>();
    @Controller({ scope: Scope.REQUEST })
    class PerEvent {
      @EventPattern<string>('com.scoped.*')
      onScoped(): void {
        instances.add(this);
      }
    }
    @Module({ controllers: [PerEvent] })
    class ScopedModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(ScopedModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    mesh.emit('com.scoped.one', 1);
    mesh.emit('com.scoped.two', 2);
    await until(() => instances.size === 2);
  });

  it('passes every subscribe option in the extras, `from` included: a new durable replays what the store held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evmesh-nest-from-'));
    const mesh = createMesh({ store: sqliteStore({ path: join(dir, 'events.db') }) });
    closers.push(async () => {
      await mesh.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await mesh.start();
    await mesh.publish('com.replay.early', 'before the app');
    const got: unknown[] = [];
    @Controller()
    class Replay {
      @EventPattern('com.replay.*', { durable: 'nest-replay', from: { time: 0 } })
      onReplay(@Payload() data: unknown): void {
        got.push(data);
      }
    }
    @Module({ controllers: [Replay] })
    class ReplayModule {}
    const app = await NestFactory.createMicroservice(ReplayModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    await until(() => got.length === 1, 10_000);
    expect(got).toEqual(['before the app']);
  });

  it('routes a Nest object pattern as the one-level topic Nest normalises it to', async () => {
    @Controller()
    class Sum {
      @MessagePattern({ cmd: 'sum' })
      sum(@Payload() data: number[]): number {
        return data.reduce((a, b) => a + b, 0);
      }
    }
    @Module({ controllers: [Sum] })
    class SumModule {}
    const mesh = createMesh();
    closers.push(() => mesh.close());
    const app = await NestFactory.createMicroservice(SumModule, { strategy: new MeshServer({ mesh }), logger: false });
    closers.push(() => app.close());
    await app.listen();
    await expect(firstValueFrom(new MeshClient({ mesh }).send({ cmd: 'sum' }, [1, 2, 3]))).resolves.toBe(6);
  });

  it('refuses at listen a pattern that is not a mesh pattern (ERR_MESH_INVALID_PATTERN)', async () => {
    @Controller()
    class Bad {
      @MessagePattern('com.stock.sk*')
      sum(): number {
        return 1;
      }
    }
    @Module({ controllers: [Bad] })
    class BadModule {}
    const server = new MeshServer();
    const app = await NestFactory.createMicroservice(BadModule, { strategy: server, logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_PATTERN' });
  });

  it('refuses at listen extras that are not valid subscribe options (ERR_MESH_INVALID_OPTIONS)', async () => {
    @Controller()
    class Bad {
      @EventPattern<string>('com.shop.bad', { concurrency: 0 })
      onBad(): void {}
    }
    @Module({ controllers: [Bad] })
    class BadModule {}
    const app = await NestFactory.createMicroservice(BadModule, { strategy: new MeshServer(), logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });
  });

  it('reports its status and creates, starts and closes its own mesh from createMesh options', async () => {
    const server = new MeshServer({ id: 'own-mesh', listen: { port: 0 } });
    const statuses: string[] = [];
    server.status.subscribe((s) => statuses.push(s));
    const mesh = server.unwrap<Mesh>();
    const app = await microservice(server);
    expect(mesh.id).toBe('own-mesh');
    expect(mesh.address?.port).toBeGreaterThan(0);
    expect(statuses).toEqual(['connecting', 'connected']);
    closers.splice(0);
    await app.close();
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
    await expect(mesh.publish('com.shop.after')).rejects.toMatchObject({ code: 'ERR_MESH_CLOSED' });
  });
});
