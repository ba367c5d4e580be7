import { describe, expect, it } from 'vitest';
import type { Mesh, MeshError } from '../../src/index.js';
import { memoryLinkPair } from '../../src/federation/memory-link.js';
import type { Link } from '../../src/federation/link.js';
import { kernelOf } from '../../src/mesh/mesh.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { deferred, expectRejectCode, until } from '../support/expect-code.js';
import { remoteInterest } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';

const tracked = closedAfterEach();

/** a dials b over an in-memory link; returns the frames each side sent and the errors each reported. */
function pair(): { a: Mesh; b: Mesh; fromA: WireFrame[]; fromB: WireFrame[]; errors: MeshError[]; toB: Link } {
  const a = tracked({ id: 'a' });
  const b = tracked({ id: 'b' });
  const errors: MeshError[] = [];
  a.on('error', (e) => void errors.push(e));
  b.on('error', (e) => void errors.push(e));
  const [toB, toA] = memoryLinkPair();
  const record = (link: Link, into: WireFrame[]): void => {
    const send = link.send.bind(link);
    link.send = (frame) => {
      into.push(frame);
      send(frame);
    };
  };
  const fromA: WireFrame[] = [];
  const fromB: WireFrame[] = [];
  record(toB, fromA);
  record(toA, fromB);
  kernelOf(b).federate().attach(toA, false);
  kernelOf(a).federate().attach(toB, true);
  return { a, b, fromA, fromB, errors, toB };
}

const events = (frames: WireFrame[]): WireFrame[] => frames.filter((f) => f.header.cmd === 'ASYNC_MESSAGE_TO_SERVER');

describe('event frames between peers (PROTOCOL §5.2)', () => {
  it('carry no seq, and repeat one header while the destinations stay the same', async () => {
    const { a, b, fromA } = pair();
    const got: unknown[] = [];
    b.subscribe('o.*', (e) => void got.push(e.data));
    await until(() => remoteInterest(a, 'o.created').length === 1);
    for (let i = 0; i < 3; i++) a.emit('o.created', i);
    b.subscribe('o.created', (e) => void got.push(`second ${String(e.data)}`));
    await until(() => remoteInterest(a, 'o.created').length === 2);
    a.emit('o.created', 3);
    await until(() => got.length === 5);
    expect(got.slice(0, 3)).toEqual([0, 1, 2]);
    expect(new Set(got.slice(3))).toEqual(new Set([3, 'second 3']));
    const [first, ...rest] = events(fromA);
    expect(first?.header.seq).toBeUndefined();
    expect(rest.slice(0, 2).map((f) => f.header)).toEqual([first?.header, first?.header]);
    expect(rest[0]?.header).toBe(first?.header); // the same object: encoded once
    const last = rest[2] as WireFrame;
    expect(last.header).not.toBe(first?.header);
    expect(Object.keys(JSON.parse(String(last.header.properties['evmeshdest'])) as object)).toEqual(['b']);
    expect((JSON.parse(String(last.header.properties['evmeshdest'])) as Record<string, string[]>)['b']).toHaveLength(2);
  });

  it.each([
    ['a body that is not JSON', Buffer.from('{"id":')],
    ['an event without id', Buffer.from('{"specversion":"1.0","source":"/s","type":"o.created"}')],
    ['an event whose time is no timestamp', Buffer.from('{"specversion":"1.0","id":"1","source":"/s","type":"o.created","time":"soon"}')],
    ['no body', undefined],
  ])('answer %s with ERR_MESH_WIRE_BAD_BODY and the loss of that link only', async (_name, body) => {
    const { a, b, fromA, errors, toB } = pair();
    const got: unknown[] = [];
    b.subscribe('o.*', (e) => void got.push(e.data));
    await until(() => remoteInterest(a, 'o.created').length === 1);
    a.emit('o.created', 'good');
    await until(() => got.length === 1);
    const good = events(fromA)[0] as WireFrame;
    toB.send({ header: good.header, body });
    await until(() => errors.length > 0 && b.peers().length === 0);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
    expect(got).toEqual(['good']);
    b.emit('o.created', 'local'); // the node itself carries on
    expect(got).toEqual(['good', 'local']);
  });
});

describe('requests served for another node (PROTOCOL §6)', () => {
  it('are forgotten once their deadline passes, and a late answer is not sent', async () => {
    const { a, b, fromB } = pair();
    const late = deferred<string>();
    b.subscribe('q.slow', () => late.promise);
    b.subscribe('q.ping', () => 'pong');
    await until(() => remoteInterest(a, 'q.slow').length === 1 && remoteInterest(a, 'q.ping').length === 1);
    await expectRejectCode(a.request('q.slow', 1, { timeout: 50 }), 'ERR_MESH_TIMEOUT');
    await until(() => kernelOf(b).openRequests === 0);
    late.resolve('too late');
    // Asked after the late answer was ready: by the time its reply is back, a reply to the
    // slow request would have been sent before it.
    expect((await a.request('q.ping', 1, { timeout: 5000 })).data).toBe('pong');
    expect(fromB.filter((f) => f.header.cmd === 'RESPONSE_TO_SERVER')).toHaveLength(1);
  });

  it('are answered with the reply event the handler made', async () => {
    const { a, b } = pair();
    b.subscribe('q.echo', (e) => ({ echoed: e.data }));
    await until(() => remoteInterest(a, 'q.echo').length === 1);
    const reply = await a.request('q.echo', 'hi', { timeout: 5000 });
    expect(reply.data).toEqual({ echoed: 'hi' });
    expect(reply['inreplyto']).toBeDefined();
    expect(kernelOf(b).openRequests).toBe(0);
  });
});
