import { filter, map, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type MeshError } from '../../../src/index.js';
import { expectThrowCode, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('subscribe({ pipe })', () => {
  it('runs the chain on this subscription only, after routing', () => {
    const m = mesh();
    const piped: unknown[] = [];
    const plain: unknown[] = [];
    m.subscribe('n', (e) => void piped.push(e.data), { pipe: (events$) => events$.pipe(filter((e) => (e.data as number) % 2 === 0)) });
    m.subscribe('n', (e) => void plain.push(e.data));
    for (let i = 0; i < 5; i++) m.emit('n', i);
    m.emit('other', 100);
    expect(piped).toEqual([0, 2, 4]);
    expect(plain).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports a chain error and keeps the subscription alive for later events', () => {
    const m = mesh();
    const errors: MeshError[] = [];
    m.on('error', (e) => void errors.push(e));
    const got: unknown[] = [];
    m.subscribe('n', (e) => void got.push(e.data), {
      pipe: (events$) => events$.pipe(map((e) => {
        if (e.data === 1) throw new Error('bad one');
        return e;
      })),
    });
    for (let i = 0; i < 3; i++) m.emit('n', i);
    expect(got).toEqual([0, 2]);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_PIPELINE_FAILED']);
  });

  it('refuses a pipe that errors as soon as it is subscribed', () => {
    expectThrowCode(() => mesh().subscribe('n', () => undefined, { pipe: () => throwError(() => new Error('dead')) }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('ends the subscription, reporting it, when its pipe cannot be rebuilt after an error', async () => {
    const m = mesh();
    const errors: string[] = [];
    m.on('error', (e) => void errors.push(e.code));
    let builds = 0;
    const sub = m.subscribe('n', () => undefined, {
      pipe: (events$) => {
        if (++builds > 1) throw new Error('cannot rebuild');
        return events$.pipe(map(() => {
          throw new Error('bad event');
        }));
      },
    });
    m.emit('n', 1);
    await until(() => !sub.active);
    expect(errors).toEqual(['ERR_MESH_PIPELINE_FAILED', 'ERR_MESH_PIPELINE_FAILED']);
  });

  it('must return an Observable', () => {
    expectThrowCode(() => mesh().subscribe('n', () => undefined, { pipe: () => 5 as never }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('cannot be combined with a durable subscription', () => {
    expectThrowCode(() => mesh().subscribe('n', () => undefined, { durable: 'd', pipe: (e$) => e$ }), 'ERR_MESH_INVALID_OPTIONS');
  });
});
