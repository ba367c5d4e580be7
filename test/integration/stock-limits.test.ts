import { describe, expect, it } from 'vitest';
import { until } from '../support/expect-code.js';
import { cloudEvent } from './stock-client.js';
import { isPush, stockFixture } from './stock-fixture.js';

// What a stock EventMesh client cannot be sent: a reply or push the JSON format or the 4 MiB frame limit refuses.
const { node, session } = stockFixture();

/** Over the 4 MiB frame limit once in the JSON format. */
const OVERSIZED = 'x'.repeat(4 * 1024 * 1024);

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

describe('a mesh event too large for a stock client frame', () => {
  it('is reported once and not pushed; no session closes (nor hands it on), and later events still arrive', async () => {
    const { mesh, port, errors } = await node();
    const group = [await session(port, 'sub', 'g', [['big.t']]), await session(port, 'sub', 'g', [['big.t']])];
    const broadcast = await session(port, 'sub', 'b', [['big.t', 'BROADCASTING']]);
    mesh.emit('com.big', OVERSIZED, { subject: 'big.t' });
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_FRAME_TOO_LARGE']);
    await mesh.publish('com.small', 'after', { subject: 'big.t' });
    await until(() => broadcast.frames.some(isPush) && group.some((c) => c.frames.some(isPush)), 5000);
    for (const client of [...group, broadcast]) {
      expect(client.isClosed).toBe(false);
      expect(client.frames.filter(isPush).map((f) => f.body.length < 1000)).not.toContain(false);
    }
  });

  it('as the answer to a REQUEST_TO_SERVER is RESPONSE_TO_CLIENT code 1, and the session stays', async () => {
    const { mesh, port } = await node();
    mesh.subscribe('calc.huge', () => OVERSIZED);
    const pub = await session(port, 'pub');
    const reply = await pub.publish(cloudEvent('calc.huge', 1), 'REQUEST_TO_SERVER');
    expect([reply.header.code, reply.header.desc?.split(':')[0]]).toEqual([1, 'ERR_MESH_WIRE_FRAME_TOO_LARGE']);
    expect(pub.isClosed).toBe(false);
    expect((await pub.call('HEARTBEAT_REQUEST', 'HEARTBEAT_RESPONSE')).header.code).toBe(0);
  });
});
