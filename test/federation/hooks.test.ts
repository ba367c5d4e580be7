import { describe, expect, it } from 'vitest';
import type { Mesh, MeshError } from '../../src/index.js';
import { memoryLinkPair } from '../../src/federation/memory-link.js';
import type { RemoteParty } from '../../src/hooks/hook-list.js';
import { hooksOf, kernelOf } from '../../src/mesh/mesh.js';
import { linkInMemory } from '../../src/testing/index.js';
import { encodeSubscription } from '../../src/wire/bodies/subscription.js';
import { encodeUserAgent } from '../../src/wire/bodies/user-agent.js';
import type { WireCommand } from '../../src/wire/constants.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { remoteNodes } from '../support/interest.js';
import { closedAfterEach } from '../support/meshes.js';

const tracked = closedAfterEach();

function pair(): [Mesh, Mesh, MeshError[]] {
  const errors: MeshError[] = [];
  const a = tracked({ id: 'a' });
  const b = tracked({ id: 'b' });
  a.on('error', (e) => void errors.push(e));
  b.on('error', (e) => void errors.push(e));
  return [a, b, errors];
}

describe('federation hooks', () => {
  it('onLinkUp and onLinkDown name the peer by its node id', async () => {
    const [a, b] = pair();
    const seen: string[] = [];
    hooksOf(a).add('onLinkUp', (p) => void seen.push(`up ${p.kind} ${String(p.identity)}`));
    hooksOf(a).add('onLinkDown', (p) => void seen.push(`down ${p.kind} ${String(p.identity)}`));
    const link = linkInMemory(a, b);
    await until(() => seen.length === 1);
    link.close();
    await until(() => seen.length === 2);
    expect(seen).toEqual(['up peer b', 'down peer b']);
  });

  it('an event a peer forwards is not delivered, nor forwarded further, when onRemoteEvent refuses it', async () => {
    const [a, b, errors] = pair();
    const c = tracked({ id: 'c' });
    linkInMemory(a, b);
    linkInMemory(b, c);
    const atB: unknown[] = [];
    const atC: unknown[] = [];
    b.subscribe('o.*', (e) => void atB.push(e.data));
    c.subscribe('o.*', (e) => void atC.push(e.data));
    const from: (RemoteParty | undefined)[] = [];
    hooksOf(b).add('onRemoteEvent', (e, party) => {
      from.push(party);
      return e.data !== 'secret';
    });
    await until(() => remoteNodes(a, 'o.x').join() === 'b,c');
    a.emit('o.x', 'secret');
    a.emit('o.x', 'public');
    await until(() => atC.length === 1 && atB.length === 1);
    expect(atB).toEqual(['public']);
    expect(atC).toEqual(['public']);
    expect(from[0]).toMatchObject({ kind: 'peer', identity: 'a' });
    expect(errors).toEqual([]);
  });

  it('a subscription a peer advertises is not routed to when onRemoteSubscribe refuses it', async () => {
    const [a, b] = pair();
    const asked: string[] = [];
    hooksOf(a).add('onRemoteSubscribe', (adv, party) => {
      asked.push(adv.pattern);
      return !(adv.pattern === 'hr.#' && party.identity === 'b');
    });
    b.subscribe('hr.#', () => 'salary');
    b.subscribe('shop.q', () => 'answer');
    linkInMemory(a, b);
    await until(() => a.peers().length === 1 && asked.includes('hr.#') && asked.includes('shop.q'));
    expect((await a.request('shop.q')).data).toBe('answer');
    await expectRejectCode(a.request('hr.ceo.salary', 1, { timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
  });

  it('a frame onRemoteFrame refuses is dropped unanswered', async () => {
    const [a, b] = pair();
    let dropAdvertisements = false;
    let dropped = 0;
    hooksOf(a).add('onRemoteFrame', (frame) => {
      const drop = dropAdvertisements && frame.header.cmd === 'SUBSCRIBE_REQUEST';
      if (drop) dropped++;
      return !drop;
    });
    linkInMemory(a, b);
    await until(() => a.peers().length === 1);
    dropAdvertisements = true;
    b.subscribe('late.q', () => 'too late');
    await until(() => dropped === 1);
    await expectRejectCode(a.request('late.q', 1, { timeout: 30_000 }), 'ERR_MESH_NO_RESPONDER');
  });
});

function frame(cmd: WireCommand, seq: string, body?: Buffer, properties: Record<string, string> = {}): WireFrame {
  return { header: { cmd, code: 0, seq, properties }, body };
}

describe('stock client hooks', () => {
  it('identify the client by its username, and refuse its event or topic with code 1 ERR_MESH_FORBIDDEN', async () => {
    const mesh = tracked({ id: 'gw' });
    const parties: RemoteParty[] = [];
    hooksOf(mesh).add('onLinkUp', (p) => void parties.push(p));
    hooksOf(mesh).add('onRemoteEvent', (e) => e.subject !== 'forbidden.topic');
    hooksOf(mesh).add('onRemoteSubscribe', (adv) => adv.pattern !== 'forbidden.topic');
    const got: unknown[] = [];
    mesh.subscribe('#', (e) => void got.push(e.data));
    const [server, client] = memoryLinkPair();
    const answers = new Map<string, WireFrame>();
    client.onFrame = (f) => void answers.set(f.header.seq ?? '', f);
    kernelOf(mesh).stockHello(server, frame('HELLO_REQUEST', '1', encodeUserAgent({ version: '1', group: 'g', purpose: 'pub', pid: 1, port: 0, unack: 0, username: 'billing' })));
    await until(() => answers.has('1'));
    expect(parties).toEqual([expect.objectContaining({ kind: 'client', identity: 'billing' })]);
    const publish = (seq: string, subject: string): void => {
      const event = { specversion: '1.0', id: `e${seq}`, source: '/c', type: 'cloudevents', subject, data: seq };
      client.send(frame('ASYNC_MESSAGE_TO_SERVER', seq, Buffer.from(JSON.stringify(event)), { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp' }));
    };
    publish('2', 'forbidden.topic');
    publish('3', 'fine.topic');
    await until(() => answers.has('2') && answers.has('3'));
    expect(answers.get('2')?.header).toMatchObject({ code: 1, desc: expect.stringMatching(/^ERR_MESH_FORBIDDEN/) });
    expect(answers.get('3')?.header.code).toBe(0);
    expect(got).toEqual(['3']);

    const [server2, client2] = memoryLinkPair();
    const answers2 = new Map<string, WireFrame>();
    client2.onFrame = (f) => void answers2.set(f.header.seq ?? '', f);
    kernelOf(mesh).stockHello(server2, frame('HELLO_REQUEST', '1', encodeUserAgent({ version: '1', group: 'g', purpose: 'sub', pid: 1, port: 0, unack: 0 })));
    client2.send(frame('SUBSCRIBE_REQUEST', '2', encodeSubscription({ topicList: [{ topic: 'forbidden.topic', mode: 'CLUSTERING', type: 'ASYNC' }] })));
    client2.send(frame('LISTEN_REQUEST', '3'));
    await until(() => answers2.has('3'));
    expect(answers2.get('3')?.header).toMatchObject({ code: 1, desc: expect.stringMatching(/^ERR_MESH_FORBIDDEN/) });
  });
});
