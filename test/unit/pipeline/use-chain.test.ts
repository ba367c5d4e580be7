import { distinct, filter, map, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Mesh, type MeshError, type MeshEvent } from '../../../src/index.js';
import { expectRejectCode, expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

function collect(m: Mesh, pattern: string): MeshEvent[] {
  const got: MeshEvent[] = [];
  m.subscribe(pattern, (e) => void got.push(e));
  return got;
}

describe('use (mesh-wide RxJS chain)', () => {
  it('does not deliver an event the chain drops, and still resolves that publish', async () => {
    const m = mesh();
    const got = collect(m, '#');
    m.use((events$) => events$.pipe(filter((e) => e.subject !== 'blocked')));
    await m.publish('a.b', 1, { subject: 'blocked' });
    await m.publish('a.b', 2, { subject: 'ok' });
    expect(got.map((e) => e.data)).toEqual([2]);
  });

  it('delivers what the chain emits, so it can enrich events', () => {
    const m = mesh();
    const got = collect(m, 'a.b');
    m.use((events$) => events$.pipe(map((e) => ({ ...e.toJSON(), tenant: 'acme' }))));
    const sent = m.emit('a.b', 1);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ tenant: 'acme', data: 1 });
    expect(sent.tenant).toBe('acme');
  });

  it('rejects the publish whose event made the chain throw (emit reports it instead), and keeps working', async () => {
    const m = mesh();
    const got = collect(m, 'a.b');
    m.use((events$) => events$.pipe(map((e) => {
      if (e.data === 'bad') throw new Error('ACL: denied');
      return e;
    })));
    const failure = m.publish('a.b', 'bad');
    await expectRejectCode(failure, 'ERR_MESH_PIPELINE_FAILED');
    await expect(failure).rejects.toHaveProperty('cause.message', 'ACL: denied');
    const reported: MeshError[] = [];
    m.on('error', (e) => void reported.push(e));
    const emitted = m.emit('a.b', 'bad');
    expect(emitted.data).toBe('bad');
    expect(reported.map((e) => e.code)).toEqual(['ERR_MESH_PIPELINE_FAILED']);
    await m.publish('a.b', 'good');
    expect(got.map((e) => e.data)).toEqual(['good']);
  });

  it('keeps operator state across events (one long-lived stream)', () => {
    const m = mesh();
    const got = collect(m, 'a.b');
    m.use((events$) => events$.pipe(distinct((e) => e.subject)));
    for (const subject of ['1', '2', '1', '3', '2']) m.emit('a.b', subject, { subject });
    expect(got.map((e) => e.subject)).toEqual(['1', '2', '3']);
  });

  it('runs chains in the order they were added and can remove one', () => {
    const m = mesh();
    const got = collect(m, 'a.b');
    m.use((events$) => events$.pipe(map((e) => ({ ...e.toJSON(), data: `${String(e.data)}1` }))));
    const remove = m.use((events$) => events$.pipe(map((e) => ({ ...e.toJSON(), data: `${String(e.data)}2` }))));
    m.emit('a.b', 'x');
    remove();
    m.emit('a.b', 'y');
    expect(got.map((e) => e.data)).toEqual(['x12', 'y1']);
  });

  it('rejects the publish when the chain emits something that is not a CloudEvent', async () => {
    const m = mesh();
    m.use((events$) => events$.pipe(map(() => ({ nope: true }))));
    await expectRejectCode(m.publish('a.b'), 'ERR_MESH_INVALID_EVENT');
  });

  it('refuses an operator that throws or returns no Observable, and keeps the chain it had', () => {
    const m = mesh();
    const got = collect(m, 'a.b');
    m.use((events$) => events$.pipe(filter((e) => e.data !== 'drop')));
    expectThrowCode(() => m.use(() => {
      throw new Error('broken factory');
    }), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => m.use(() => 42 as never), 'ERR_MESH_INVALID_OPTIONS');
    m.emit('a.b', 'drop');
    m.emit('a.b', 'keep');
    expect(got.map((e) => e.data)).toEqual(['keep']);
  });

  it('refuses a chain that errors as soon as it is subscribed, without recursing', () => {
    const m = mesh();
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    const got = collect(m, 'a.b');
    expectThrowCode(() => m.use(() => throwError(() => new Error('dead on arrival'))), 'ERR_MESH_INVALID_OPTIONS');
    m.emit('a.b', 1);
    expect(got.map((e) => e.data)).toEqual([1]);
    expect(errors).toEqual([]);
  });

  it('refuses a chain that is not a function', () => {
    expectThrowCode(() => mesh().use('nope' as never), 'ERR_MESH_INVALID_OPTIONS');
  });
});
