import { describe, expect, it } from 'vitest';
import { type MeshEvent } from '../../../src/index.js';
import { expectRejectCode, expectThrowCode } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('observe', () => {
  it('emits the events matching the pattern and filter', () => {
    const m = mesh();
    const got: unknown[] = [];
    m.observe('o.#', { filter: { exact: { subject: 'keep' } } }).subscribe((e: MeshEvent) => got.push(e.data));
    m.emit('o.created', 1, { subject: 'keep' });
    m.emit('o.created', 2, { subject: 'drop' });
    m.emit('x.created', 3, { subject: 'keep' });
    expect(got).toEqual([1]);
  });

  it('is cold: nothing listens until subscribed, and nothing after unsubscribe', async () => {
    const m = mesh();
    const events$ = m.observe('q');
    await expectRejectCode(m.request('q'), 'ERR_MESH_NO_RESPONDER');
    const got: unknown[] = [];
    const rx = events$.subscribe((e) => got.push(e.data));
    m.emit('q', 1);
    rx.unsubscribe();
    m.emit('q', 2);
    expect(got).toEqual([1]);
    await expectRejectCode(m.request('q'), 'ERR_MESH_NO_RESPONDER');
  });

  it('completes its subscribers when the mesh closes', async () => {
    const m = mesh();
    let completed = false;
    m.observe('q').subscribe({ complete: () => (completed = true) });
    await m.close();
    expect(completed).toBe(true);
  });

  it('throws at once for a bad pattern or filter', () => {
    const m = mesh();
    expectThrowCode(() => m.observe('a..b'), 'ERR_MESH_INVALID_PATTERN');
    expectThrowCode(() => m.observe('a', { filter: { sql: 'x =' } }), 'ERR_MESH_INVALID_FILTER');
  });
});
