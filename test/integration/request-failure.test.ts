import { describe, expect, it } from 'vitest';
import type { Mesh, MeshError } from '../../src/index.js';
import { cloudEvent } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

// Failing responders seen over real TCP: from a peer node (PROTOCOL §6.4) and by a stock
// EventMesh client (§8.5).
const { node, session, createMesh } = stockFixture();

/** `b` listens (subscribed by `setup`), `a` dials it; resolves once the link is up and b's interest is known at a. */
async function linkedPair(setup: (b: Mesh) => void = () => undefined): Promise<{ a: Mesh; b: Mesh; aErrors: MeshError[]; bErrors: MeshError[] }> {
  const { mesh: b, port, errors: bErrors } = await node({ id: 'b' });
  setup(b);
  const a = createMesh({ id: 'a', peers: [`tcp://127.0.0.1:${String(port)}`] });
  const aErrors: MeshError[] = [];
  a.on('error', (e) => void aErrors.push(e));
  const up = new Promise<void>((resolve) => a.on('peer:up', () => resolve()));
  await a.start();
  await up;
  return { a, b, aErrors, bErrors };
}

describe('a request over TCP whose responder on the peer fails', () => {
  it('rejects at once with ERR_MESH_HANDLER_FAILED and the responder code, message and node', async () => {
    const { a } = await linkedPair((b) => b.subscribe('stock.reserve', async () => {
      throw Object.assign(new Error('no kettles left'), { code: 'E_STOCK' });
    }, { name: 'stock' }));
    await expect(a.request('stock.reserve', 'kettle', { timeout: 60_000 })).rejects.toMatchObject({
      code: 'ERR_MESH_HANDLER_FAILED',
      details: { node: 'b', subscription: 'stock', remote: { code: 'E_STOCK', message: 'no kettles left' } },
    });
  });
});

describe('a stock EventMesh client asking', () => {
  it('gets code 1 with ERR_MESH_HANDLER_FAILED at the start of desc when the responder fails', async () => {
    const { mesh } = await node();
    mesh.on('error', () => undefined);
    mesh.subscribe('stock.reserve', () => {
      throw Object.assign(new Error('no kettles left'), { code: 'E_STOCK' });
    });
    const { port } = mesh.address as { port: number };
    const pub = await session(port, 'pub');
    const reply = await pub.publish(cloudEvent('stock.reserve', 'kettle', { ttl: '60000' }), 'REQUEST_TO_SERVER');
    expect([reply.header.cmd, reply.header.code, reply.header.desc?.split(':')[0]]).toEqual(['RESPONSE_TO_CLIENT', 1, 'ERR_MESH_HANDLER_FAILED']);
  });
});
