import { describe, expect, it } from 'vitest';
import { type Mesh, type MeshEvent, type MeshOptions } from '../../../src/index.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

function counter(m: Mesh, pattern: string, group: string | undefined, counts: Map<string, number>, name: string, filter?: object) {
  return m.subscribe(pattern, () => void counts.set(name, (counts.get(name) ?? 0) + 1), { group, filter: filter as never });
}

describe('groups', () => {
  it('deliver each event to exactly one member, spread evenly across members', () => {
    const m = mesh();
    const counts = new Map<string, number>();
    for (const name of ['b1', 'b2', 'b3']) counter(m, 'o.*', 'billing', counts, name);
    for (let i = 0; i < 30; i++) m.emit('o.created', i);
    expect([...counts.values()].reduce((a, b) => a + b)).toBe(30);
    expect(Object.fromEntries(counts)).toEqual({ b1: 10, b2: 10, b3: 10 });
  });

  it('give one copy to each group and one to every plain subscriber', () => {
    const m = mesh();
    const counts = new Map<string, number>();
    counter(m, 'o.created', 'billing', counts, 'billing-1');
    counter(m, 'o.created', 'billing', counts, 'billing-2');
    counter(m, 'o.#', 'shipping', counts, 'shipping-1');
    counter(m, 'o.*', undefined, counts, 'audit-1');
    counter(m, 'o.created', undefined, counts, 'audit-2');
    m.emit('o.created');
    m.emit('o.created');
    expect((counts.get('billing-1') ?? 0) + (counts.get('billing-2') ?? 0)).toBe(2);
    expect(counts.get('shipping-1')).toBe(2);
    expect(counts.get('audit-1')).toBe(2);
    expect(counts.get('audit-2')).toBe(2);
  });

  it('deliver once to a group whose members match the event through different patterns', () => {
    const m = mesh();
    const counts = new Map<string, number>();
    counter(m, 'o.created', 'g', counts, 'exact');
    counter(m, 'o.*', 'g', counts, 'star');
    counter(m, '#', 'g', counts, 'all');
    for (let i = 0; i < 9; i++) m.emit('o.created');
    expect([...counts.values()].reduce((a, b) => a + b)).toBe(9);
    expect(counts.size).toBe(3);
  });

  it('pass an event to the next member when the picked member filter rejects it', () => {
    const m = mesh();
    const counts = new Map<string, number>();
    counter(m, 'o.*', 'g', counts, 'eu', { prefix: { subject: 'eu' } });
    counter(m, 'o.*', 'g', counts, 'us', { prefix: { subject: 'us' } });
    for (let i = 0; i < 4; i++) m.emit('o.created', i, { subject: 'eu-1' });
    m.emit('o.created', 9, { subject: 'asia' });
    expect(Object.fromEntries(counts)).toEqual({ eu: 4 });
  });

  /** Within ±10 % of an even share. */
  const aboutHalfOf = (total: number, got: number | undefined): void => {
    expect(got ?? 0).toBeGreaterThanOrEqual(total / 2 * 0.9);
    expect(got ?? 0).toBeLessThanOrEqual(total / 2 * 1.1);
  };

  it.each([['cached routes', {}], ['no route cache', { matchCacheSize: 0 }]] as [string, MeshOptions][])(
    'share the events two members accept evenly, however many more one of them accepts alone (%s)',
    (_name, options) => {
      const m = mesh(options);
      const counts = new Map<string, number>();
      const count = (member: string) => (e: MeshEvent) => void counts.set(`${member} ${String(e.subject)}`, (counts.get(`${member} ${String(e.subject)}`) ?? 0) + 1);
      m.subscribe('o.*', count('all'), { group: 'g' });
      m.subscribe('o.*', count('half'), { group: 'g', filter: { exact: { subject: 'half' } } });
      for (let i = 0; i < 1000; i++) m.emit('o.created', i, { subject: i % 2 === 0 ? 'half' : 'other' });
      expect(counts.get('all other')).toBe(500); // only the first member accepts these
      aboutHalfOf(500, counts.get('all half'));
      aboutHalfOf(500, counts.get('half half'));
    },
  );

  it('share the events of a topic evenly among the members whose patterns match it, whatever else they match', () => {
    const m = mesh();
    const counts = new Map<string, number>();
    const count = (member: string) => (e: MeshEvent) => void counts.set(`${member} ${e.type}`, (counts.get(`${member} ${e.type}`) ?? 0) + 1);
    m.subscribe('o.created', count('exact'), { group: 'g' });
    m.subscribe('o.*', count('star'), { group: 'g' });
    for (let i = 0; i < 1000; i++) m.emit(i % 2 === 0 ? 'o.created' : 'o.paid', i);
    expect(counts.get('star o.paid')).toBe(500);
    aboutHalfOf(500, counts.get('exact o.created'));
    aboutHalfOf(500, counts.get('star o.created'));
  });

  it('keep serving with the remaining members after one unsubscribes', async () => {
    const m = mesh();
    const counts = new Map<string, number>();
    const gone = counter(m, 'o.*', 'g', counts, 'gone');
    counter(m, 'o.*', 'g', counts, 'stays');
    await gone.unsubscribe();
    for (let i = 0; i < 5; i++) m.emit('o.created');
    expect(Object.fromEntries(counts)).toEqual({ stays: 5 });
  });
});
