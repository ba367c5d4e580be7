import { describe, expect, it } from 'vitest';
import { cloudEvent } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

// Failing responders seen over real TCP: from a peer node (PROTOCOL §6.4) and by a stock
// EventMesh client (§8.5).
const { node, session, linkedPair } = stockFixture();

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
