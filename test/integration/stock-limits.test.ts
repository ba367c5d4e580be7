import { describe, expect, it } from 'vitest';
import { cloudEvent } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

// What a stock EventMesh client cannot be sent: a reply or push the JSON format or the 4 MiB frame limit refuses.
const { node, session } = stockFixture();

describe('a stock EventMesh requester whose answer cannot be carried', () => {
  it('gets RESPONSE_TO_CLIENT code 1 for an answer JSON cannot encode, and its session stays', async () => {
    const { mesh, port, errors } = await node();
    mesh.subscribe('calc.big', () => ({ n: 10n }));
    mesh.subscribe('calc.ok', () => 'fine');
    const pub = await session(port, 'pub');
    const reply = await pub.publish(cloudEvent('calc.big', 1), 'REQUEST_TO_SERVER');
    expect([reply.header.cmd, reply.header.code, reply.header.desc?.split(':')[0]]).toEqual(['RESPONSE_TO_CLIENT', 1, 'ERR_MESH_WIRE_BAD_BODY']);
    expect(reply.body.length).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
    expect((await pub.publish(cloudEvent('calc.ok', 1), 'REQUEST_TO_SERVER')).header.code).toBe(0);
  });
});
