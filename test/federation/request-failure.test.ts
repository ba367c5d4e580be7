import { describe, expect, it } from 'vitest';
import { type Mesh, type MeshError } from '../../src/index.js';
import { memoryLinkPair } from '../../src/federation/memory-link.js';
import { attachLink } from '../../src/mesh/mesh.js';
import { linkInMemory } from '../../src/testing/index.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { deferred, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';

// PROTOCOL §6.4: a request whose responders on other nodes fail rejects at once, with their code.
const tracked = closedAfterEach();
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Far past the test timeout: a request that waits for it fails the test. */
const NEVER = { timeout: 60_000 };

function nodes(...ids: string[]): { meshes: [Mesh, Mesh, ...Mesh[]]; errors: MeshError[] } {
  const errors: MeshError[] = [];
  const meshes = ids.map((id) => {
    const m = tracked({ id });
    m.on('error', (e) => void errors.push(e));
    return m;
  });
  return { meshes: meshes as [Mesh, Mesh, ...Mesh[]], errors };
}

describe('a request whose responder on another node fails', () => {
  it('rejects at once with ERR_MESH_HANDLER_FAILED, the remote code and message and the failing node', async () => {
    const { meshes: [a, b, c] } = nodes('a', 'b', 'c');
    linkInMemory(a, b);
    linkInMemory(b, c);
    c.subscribe('stock.reserve', () => {
      throw Object.assign(new Error('no kettles left'), { code: 'E_STOCK' });
    }, { name: 'stock' });
    await settle();
    await expect(a.request('stock.reserve', 'kettle', NEVER)).rejects.toMatchObject({
      code: 'ERR_MESH_HANDLER_FAILED',
      details: { node: 'c', subscription: 'stock', remote: { code: 'E_STOCK', message: 'no kettles left' } },
    });
  });

  it('rejects after the remote retries, with the last failure dead-lettered there', async () => {
    const { meshes: [a, b] } = nodes('a', 'b');
    linkInMemory(a, b);
    let runs = 0;
    const letters: unknown[] = [];
    b.subscribe('dlq', (e) => void letters.push(e.data));
    b.subscribe('q', async () => {
      runs++;
      throw new Error('still down');
    }, { retry: { attempts: 3, backoff: 1 }, deadLetter: 'dlq' });
    await settle();
    await expect(a.request('q', 'x', NEVER)).rejects.toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED', details: { remote: { message: 'still down' } } });
    expect(runs).toBe(3);
    await until(() => letters.length === 1);
  });

  it('is answered by a slower taker on another node rather than failed by a fast one', async () => {
    const { meshes: [a, b, c], errors } = nodes('a', 'b', 'c');
    linkInMemory(a, b);
    linkInMemory(a, c);
    const slow = deferred<string>();
    b.subscribe('q', () => {
      throw new Error('fast failure');
    });
    c.subscribe('q', () => slow.promise);
    await settle();
    const reply = a.request('q', 1, NEVER);
    await until(() => errors.length === 1); // b failed, and its outcome is on its way to a
    await settle();
    slow.resolve('from c');
    expect((await reply).data).toBe('from c');
  });

  it('is answered by a local taker rather than failed by a remote one', async () => {
    const { meshes: [a, b], errors } = nodes('a', 'b');
    linkInMemory(a, b);
    const local = deferred<string>();
    a.subscribe('q', () => local.promise);
    b.subscribe('q', () => {
      throw new Error('remote failure');
    });
    await settle();
    const reply = a.request('q', 1, NEVER);
    await until(() => errors.length === 1);
    await settle();
    local.resolve('local');
    expect((await reply).data).toBe('local');
  });

  it('rejects at once when another node only had takers that do not answer (they say so)', async () => {
    const { meshes: [a, b, c] } = nodes('a', 'b', 'c');
    linkInMemory(a, b);
    linkInMemory(a, c);
    const audited: unknown[] = [];
    b.subscribe('q', () => {
      throw new Error('the responder fails');
    });
    c.subscribe('#', (e) => void audited.push(e.type)); // an audit log: sees the request, answers nothing
    await settle();
    await expect(a.request('q', 1, NEVER)).rejects.toMatchObject({ details: { node: 'b', remote: { message: 'the responder fails' } } });
    expect(audited).toContain('q');
  });

  it('fails when the local responder fails and the remote ones do not answer', async () => {
    const { meshes: [a, b] } = nodes('a', 'b');
    linkInMemory(a, b);
    a.subscribe('q', () => {
      throw new Error('local failure');
    });
    b.subscribe('q', () => undefined);
    await settle();
    await expect(a.request('q', 1, NEVER)).rejects.toMatchObject({ details: { node: 'a', remote: { message: 'local failure' } } });
  });

  it('sends a failure as RESPONSE_TO_SERVER with evmeshoutcome "failed" and a JSON body, "none" for takers that did not answer, nothing more for an answer', async () => {
    const { meshes: [a, b] } = nodes('a', 'b');
    const [toB, toA] = memoryLinkPair();
    const seen: WireFrame[] = [];
    const send = toA.send.bind(toA);
    toA.send = (frame) => {
      if (frame.header.cmd === 'RESPONSE_TO_SERVER') seen.push(frame);
      send(frame);
    };
    attachLink(b, toA, false);
    attachLink(a, toB, true);
    b.subscribe('fails', () => {
      throw new Error('nope');
    }, { name: 'responder' });
    b.subscribe('silent', () => undefined);
    b.subscribe('answers', () => 'yes');
    await settle();
    await expect(a.request('fails', 1, NEVER)).rejects.toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED' });
    a.subscribe('silent', () => {
      throw new Error('local');
    });
    await expect(a.request('silent', 1, NEVER)).rejects.toMatchObject({ code: 'ERR_MESH_HANDLER_FAILED' });
    expect((await a.request('answers', 1, NEVER)).data).toBe('yes');
    expect(seen.map((f) => f.header.properties['evmeshoutcome'])).toEqual(['failed', 'none', undefined]);
    expect(JSON.parse(seen[0]?.body?.toString('utf8') ?? '')).toEqual({ code: 'Error', message: 'nope', subscription: 'responder', node: 'b' });
    expect(seen[1]?.body?.length ?? 0).toBe(0);
  });

  it('still resolves a request answered across nodes, and reports nothing', async () => {
    const { meshes: [a, b], errors } = nodes('a', 'b');
    linkInMemory(a, b);
    b.subscribe('q', (e) => `echo ${String(e.data)}`);
    await settle();
    expect((await a.request('q', 1, NEVER)).data).toBe('echo 1');
    expect(errors).toEqual([]);
  });
});
