// MeshClient as a Nest ClientProxy against the shop microservice (MeshServer).
import 'reflect-metadata';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../src/index.js';
import { MeshClient, RPC_ERROR_KEY } from '../../nest/index.js';
import { deferred, expectRejectCode, until } from '../support/expect-code.js';
import { interceptorSaw, seen, useShop } from './shop.fixture.js';

const { closers, shop } = useShop();

describe('MeshClient', () => {
  it('send() requests a @MessagePattern handler through a wildcard and emits its reply', async () => {
    const { client } = await shop();
    await expect(firstValueFrom(client.send('com.stock.apple.reserve', { qty: 2 }))).resolves.toEqual({ sku: 'apple', reserved: 2 });
  });

  it('send() gets the interceptor\'s mapped reply, and the exception filter\'s error as the error', async () => {
    const { client } = await shop();
    await expect(firstValueFrom(client.send('com.stock.check', { sku: 'pear' }))).resolves.toEqual({ tagged: { sku: 'pear', available: true } });
    await expect(firstValueFrom(client.send('com.stock.check', { sku: 'none' }))).rejects.toEqual({ code: 'OUT_OF_STOCK', sku: 'none' });
    expect(interceptorSaw).toEqual(['com.stock.check via com.stock.check', 'com.stock.check via com.stock.check']);
  });

  it('send() errors with the RpcException\'s error; a plain mesh.request sees it in the error envelope', async () => {
    const { client, mesh } = await shop();
    await expect(firstValueFrom(client.send('com.stock.refuse', {}))).rejects.toEqual({ status: 'error', message: 'refused' });
    const reply = await mesh.request('com.stock.refuse', {});
    expect(reply.data).toEqual({ [RPC_ERROR_KEY]: { status: 'error', message: 'refused' } });
  });

  it('send() to a handler whose guard refuses errors with Nest\'s forbidden error; a guard that passes lets it answer', async () => {
    const { client } = await shop();
    await expect(firstValueFrom(client.send('com.stock.guarded', {}))).rejects.toEqual({ status: 'error', message: 'Forbidden resource' });
    await expect(firstValueFrom(client.send('com.stock.guarded', { pass: true }))).resolves.toBe('guarded answer');
  });

  it('send() to a handler that returns nothing completes with null instead of timing out', async () => {
    const { client } = await shop();
    await expect(lastValueFrom(client.send('com.stock.silent', {}).pipe(toArray()))).resolves.toEqual([null]);
  });

  it('send() errors with ERR_MESH_NO_RESPONDER at once, and with ERR_MESH_TIMEOUT after its default timeout', async () => {
    const { mesh } = await shop();
    const client = new MeshClient({ mesh, timeout: 100 });
    await expect(firstValueFrom(client.send('com.nobody.there', {}))).rejects.toMatchObject({ code: 'ERR_MESH_NO_RESPONDER' });
    const answer = deferred();
    mesh.subscribe('com.slow.answer', () => answer.promise);
    const started = Date.now();
    await expect(firstValueFrom(client.send('com.slow.answer', {}))).rejects.toMatchObject({ code: 'ERR_MESH_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    answer.resolve();
  });

  it('emit() publishes an event the server\'s @EventPattern handlers receive, and resolves with it', async () => {
    const { client } = await shop();
    const event = await lastValueFrom(client.emit('com.shop.order.created', { id: 9 }));
    await until(() => seen.length === 3);
    expect(seen.every((s) => s.id === (event as { id: string }).id)).toBe(true);
  });

  it('rejects an invalid topic and invalid options with MeshError codes', async () => {
    const { client } = await shop();
    await expect(lastValueFrom(client.emit('bad topic', {}))).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
    await expect(firstValueFrom(client.send('com.*', {}))).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
    expect(() => new MeshClient({ timeout: 0 })).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_OPTIONS' }));
  });

  it('close() leaves a mesh it was given as { mesh } open, and closes a mesh it created', async () => {
    const shared = createMesh();
    closers.push(() => shared.close());
    const borrowing = new MeshClient({ mesh: shared });
    await borrowing.connect();
    await borrowing.close();
    await expect(shared.publish('com.still.open')).resolves.toMatchObject({ type: 'com.still.open' });
    const owning = new MeshClient();
    await owning.connect();
    await owning.close();
    await expectRejectCode(owning.unwrap<Mesh>().publish('com.after'), 'ERR_MESH_CLOSED');
  });

  it('close() removes what on() attached to a mesh it was given, which lives on', async () => {
    const shared = createMesh();
    closers.push(() => shared.close());
    shared.subscribe('com.fails', () => {
      throw new Error('handler failed');
    });
    const client = new MeshClient({ mesh: shared });
    const seenByClient: string[] = [];
    client.on('error', (err) => seenByClient.push(err.code));
    shared.emit('com.fails');
    await until(() => seenByClient.length === 1);
    await client.close();
    const seenByMesh: string[] = [];
    shared.on('error', (err) => seenByMesh.push(err.code));
    shared.emit('com.fails');
    await until(() => seenByMesh.length === 1);
    expect(seenByClient).toEqual(['ERR_MESH_HANDLER_FAILED']);
  });

  it('creates its own mesh from options, reports status and forwards mesh signals to on()', async () => {
    const server = createMesh({ id: 'peer-server', listen: { port: 0 } });
    closers.push(() => server.close());
    await server.start();
    server.subscribe('com.echo', (e) => ({ echo: e.data }));
    const client = new MeshClient({ id: 'peer-client', peers: [`tcp://127.0.0.1:${String(server.address?.port)}`] });
    closers.push(() => client.close());
    const statuses: string[] = [];
    client.status.subscribe((s) => statuses.push(s));
    const peers: string[] = [];
    client.on('peer:up', (peer) => peers.push(peer.node));
    await client.connect();
    await until(() => peers.length === 1, 10_000);
    expect(peers).toEqual(['peer-server']);
    // Interest propagates after the HELLO: retry until the responder is known.
    let reply: unknown;
    await until(async () => (reply = await firstValueFrom(client.send('com.echo', { n: 1 })).catch(() => undefined)) !== undefined, 5000, 50);
    expect(reply).toEqual({ echo: { n: 1 } });
    await client.close();
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
  });
});
