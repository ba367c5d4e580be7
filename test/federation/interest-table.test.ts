import { describe, expect, it } from 'vitest';
import { InterestTable, type Advertisement, type InterestEntry } from '../../src/federation/interest-table.js';
import {
  Network,
  expectConverged,
  expectLoopFreePaths,
  fullMesh,
  line,
  linkId,
  mulberry32,
  randomConnected,
  ring,
  star,
  type Edge,
} from './network.js';
import { entryOf } from '../../src/federation/interest.js';
import { expectThrowCode } from '../support/expect-code.js';

const entry = (node: string, sub: string, extra: Partial<InterestEntry> = {}): InterestEntry => ({ node, sub, pattern: `orders.${sub}`, ...extra });
const adv = (node: string, sub: string, path: readonly string[], extra: Partial<InterestEntry> = {}): Advertisement => ({ ...entry(node, sub, extra), path });

/** Builds the network with links up first, then one or two subscriptions per node, and runs it quiet. */
function converged(ids: readonly string[], edges: readonly Edge[], rng?: () => number): Network {
  const net = new Network(ids, edges, rng === undefined ? {} : { rng });
  ids.forEach((id, i) => {
    net.subscribe(id, `s${i}`);
    if (i % 2 === 0) net.subscribe(id, `g${i}`, { group: 'workers', filter: { exact: { source: id } } });
  });
  net.run();
  expectConverged(net);
  expectLoopFreePaths(net);
  return net;
}

const NODES = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);

describe('InterestTable on one node', () => {
  it('advertises its own subscriptions on every up link with a path of just itself', () => {
    const table = new InterestTable('a');
    expect(table.addLocal(entry('a', 's1')).send).toEqual([]);
    const up = table.linkUp('a~b', 'b');
    expect(up.send).toEqual([{ kind: 'advertise', link: 'a~b', adv: adv('a', 's1', ['a']) }]);
    table.linkUp('a~c', 'c');
    expect(table.addLocal(entry('a', 's2')).send.map((s) => s.link)).toEqual(['a~b', 'a~c']);
    expect(table.removeLocal('s1').send).toEqual([
      { kind: 'withdraw', link: 'a~b', node: 'a', sub: 's1', path: ['a'] },
      { kind: 'withdraw', link: 'a~c', node: 'a', sub: 's1', path: ['a'] },
    ]);
  });

  it('refuses a local entry owned by another node', () => {
    expectThrowCode(() => new InterestTable('a').addLocal(entry('b', 's1')), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('re-advertises a learned entry on the other links with itself appended, never back where it came from', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.linkUp('b~d', 'd');
    const result = table.advertise('a~b', adv('a', 's1', ['a'], { group: 'g', filter: { exact: { type: 'x' } } }));
    expect(result.added.map(entryOf)).toEqual([entry('a', 's1', { group: 'g', filter: { exact: { type: 'x' } } })]);
    expect(result.send).toEqual(['b~c', 'b~d'].map((link) => ({
      kind: 'advertise',
      link,
      adv: adv('a', 's1', ['a', 'b'], { group: 'g', filter: { exact: { type: 'x' } } }),
    })));
    expect(table.nextHop('a')).toBe('a~b');
    expect([...table.remoteEntries()]).toEqual([
      { entry: entry('a', 's1', { group: 'g', filter: { exact: { type: 'x' } } }), link: 'a~b', peer: 'a', hops: 1, path: ['a'] },
    ]);
  });

  it('drops an advertisement that already crossed it or that it owns', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    expect(table.advertise('b~c', adv('a', 's1', ['a', 'b', 'c']))).toEqual({ send: [], added: [], removed: [] });
    expect(table.advertise('a~b', adv('b', 's1', ['b', 'a']))).toEqual({ send: [], added: [], removed: [] });
    expect([...table.remoteEntries()]).toEqual([]);
  });

  it('treats an unusable advertisement as a withdrawal of what that link offered before', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.advertise('b~c', adv('x', 's1', ['x', 'c']));
    const result = table.advertise('b~c', adv('x', 's1', ['x', 'b', 'c']));
    expect(result.removed).toEqual([{ node: 'x', sub: 's1' }]);
    expect(result.send).toEqual([{ kind: 'withdraw', link: 'a~b', node: 'x', sub: 's1', path: ['x', 'c', 'b'] }]);
  });

  it('ignores an advertisement whose path does not end at the link peer, or that arrives on a link that is not up', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    expect(table.advertise('a~b', adv('x', 's1', ['x', 'c'])).added).toEqual([]);
    expect(table.advertise('b~z', adv('x', 's1', ['x', 'z'])).added).toEqual([]);
    expect(table.withdraw('b~z', 'x', 's1').removed).toEqual([]);
  });

  it('sends nothing when the same advertisement arrives again, even as a fresh object', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.advertise('a~b', adv('a', 's1', ['a'], { filter: { all: [{ exact: { type: 'x' } }] } }));
    expect(table.advertise('a~b', adv('a', 's1', ['a'], { filter: { all: [{ exact: { type: 'x' } }] } }))).toEqual({ send: [], added: [], removed: [] });
  });

  it('reports a changed pattern as an upsert in added and re-advertises it', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.advertise('a~b', adv('a', 's1', ['a']));
    const result = table.advertise('a~b', adv('a', 's1', ['a'], { pattern: 'orders.#' }));
    expect(result.added.map(entryOf)).toEqual([entry('a', 's1', { pattern: 'orders.#' })]);
    expect(result.send).toEqual([{ kind: 'advertise', link: 'b~c', adv: adv('a', 's1', ['a', 'b'], { pattern: 'orders.#' }) }]);
  });

  it('prefers the shorter path and breaks a tie by the smaller neighbour id, whatever the arrival order', () => {
    for (const order of [['c', 'd'], ['d', 'c']]) {
      const table = new InterestTable('b');
      for (const peer of ['c', 'd', 'e']) table.linkUp(`b~${peer}`, peer);
      table.advertise('b~e', adv('x', 's1', ['x', 'y', 'e']));
      for (const peer of order) table.advertise(`b~${peer}`, adv('x', 's1', ['x', peer]));
      expect(table.nextHop('x')).toBe('b~c');
    }
  });

  it('switches to the alternate when the best is withdrawn and withdraws on the link the alternate came from', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.advertise('a~b', adv('x', 's1', ['x', 'a']));
    table.advertise('b~c', adv('x', 's1', ['x', 'y', 'c']));
    const result = table.withdraw('a~b', 'x', 's1');
    expect(result.send).toEqual([
      { kind: 'advertise', link: 'a~b', adv: adv('x', 's1', ['x', 'y', 'c', 'b']) },
      { kind: 'withdraw', link: 'b~c', node: 'x', sub: 's1', path: ['x', 'a', 'b'] },
    ]);
    expect(result.added).toEqual([]);
    expect(table.nextHop('x')).toBe('b~c');
  });

  it('withdraws only on links where it advertised, and reports the entry removed when no path is left', () => {
    const table = new InterestTable('b');
    table.linkUp('a~b', 'a');
    table.linkUp('b~c', 'c');
    table.advertise('a~b', adv('a', 's1', ['a']));
    const result = table.linkDown('a~b');
    expect(result.send).toEqual([{ kind: 'withdraw', link: 'b~c', node: 'a', sub: 's1', path: ['a', 'b'] }]);
    expect(result.removed).toEqual([{ node: 'a', sub: 's1' }]);
    expect(table.nextHop('a')).toBeUndefined();
    expect([...table.remoteEntries()]).toEqual([]);
  });

  it('sends the same full table on a new link whatever order it learned things in', () => {
    const build = (flip: boolean): InterestTable => {
      const table = new InterestTable('b');
      const peers = flip ? ['c', 'a'] : ['a', 'c'];
      for (const peer of peers) table.linkUp(`b~${peer}`, peer);
      const advs: [string, Advertisement][] = [['b~a', adv('a', 's2', ['a'])], ['b~c', adv('c', 's1', ['c'])], ['b~a', adv('a', 's1', ['a'])]];
      for (const [link, a] of flip ? advs.reverse() : advs) table.advertise(link, a);
      table.addLocal(entry('b', flip ? 'z' : 'm'));
      table.addLocal(entry('b', flip ? 'm' : 'z'));
      return table;
    };
    expect(build(true).linkUp('b~d', 'd')).toEqual(build(false).linkUp('b~d', 'd'));
  });
});

describe('a network of interest tables', () => {
  const topologies: [string, string[], Edge[]][] = [
    ['a line of 5', NODES(5), line(NODES(5))],
    ['a ring of 3', NODES(3), ring(NODES(3))],
    ['a ring of 6', NODES(6), ring(NODES(6))],
    ['a full mesh of 4', NODES(4), fullMesh(NODES(4))],
    ['a star of 5', NODES(5), star('n2', NODES(5).filter((n) => n !== 'n2'))],
  ];

  for (const [name, ids, edges] of topologies) {
    it(`${name}: every node learns every other node's interest over a shortest path`, () => {
      converged(ids, edges);
    });

    it(`${name}: converges the same way when subscriptions come before the links`, () => {
      const net = new Network(ids);
      ids.forEach((id, i) => net.subscribe(id, `s${i}`));
      for (const [a, b] of edges) net.connect(a, b);
      net.run();
      expectConverged(net);
      expectLoopFreePaths(net);
    });
  }

  for (const seed of [1, 7, 42, 1234, 99991]) {
    it(`a random connected graph (seed ${seed}) converges to shortest paths under a random delivery order`, () => {
      const rng = mulberry32(seed);
      const ids = NODES(8);
      const edges = randomConnected(ids, 12, rng);
      expect(edges).toHaveLength(12);
      converged(ids, edges, rng);
    });

    it(`a random connected graph (seed ${seed}) re-converges after links drop and return`, () => {
      const rng = mulberry32(seed);
      const ids = NODES(8);
      const edges = randomConnected(ids, 12, rng);
      const net = converged(ids, edges, rng);
      for (let round = 0; round < 4; round++) {
        const down = edges.filter(() => rng() < 0.3);
        for (const [a, b] of down) net.disconnect(a, b);
        net.run();
        expectConverged(net);
        for (const [a, b] of down) net.connect(a, b);
        net.run();
        expectConverged(net);
      }
      expectLoopFreePaths(net);
    });
  }

  it('removing a subscription at its owner removes it on every node', () => {
    const ids = NODES(6);
    const net = converged(ids, randomConnected(ids, 9, mulberry32(5)));
    net.unsubscribe('n3', 's3');
    net.unsubscribe('n0', 'g0');
    net.run();
    expectConverged(net);
    for (const id of ids) {
      const keys = [...net.table(id).remoteEntries()].map((r) => `${r.entry.node}/${r.entry.sub}`);
      expect(keys).not.toContain('n3/s3');
      expect(keys).not.toContain('n0/g0');
    }
    expect(net.table('n0').nextHop('n3')).toBeUndefined();
  });

  it('cutting a line in two removes each side’s interest from the other, and rejoining restores it', () => {
    const ids = NODES(5);
    const net = converged(ids, line(ids));
    net.disconnect('n1', 'n2');
    net.run();
    expectConverged(net);
    expect([...net.table('n0').remoteEntries()].map((r) => r.entry.node)).toEqual(['n1']);
    expect([...net.table('n4').remoteEntries()].map((r) => r.entry.node).sort()).toEqual(['n2', 'n2', 'n3']);
    net.connect('n1', 'n2');
    net.run();
    expectConverged(net);
    expect(net.table('n0').nextHop('n4')).toBe('n0~n1');
  });

  it('a ring of 6 routes around a dropped link, splits in two at a second one, and heals when both return', () => {
    const ids = NODES(6);
    const net = converged(ids, ring(ids));
    net.disconnect('n0', 'n1');
    net.run();
    expectConverged(net);
    expect(net.table('n1').nextHop('n0')).toBe('n1~n2');
    expect([...net.table('n1').remoteEntries()].find((r) => r.entry.node === 'n0')?.hops).toBe(5);

    net.disconnect('n3', 'n4');
    net.run();
    expectConverged(net);
    const owners = (id: string): string[] => [...new Set([...net.table(id).remoteEntries()].map((r) => r.entry.node))];
    expect(owners('n1')).toEqual(['n2', 'n3']);
    expect(owners('n4')).toEqual(['n0', 'n5']);

    net.connect('n0', 'n1');
    net.connect('n3', 'n4');
    net.run();
    expectConverged(net);
  });

  it('a ring forgets a node whose two links both drop, with no stale alternates kept alive between its neighbours', () => {
    for (const size of [3, 6]) {
      const ids = NODES(size);
      const net = converged(ids, ring(ids));
      const last = ids[size - 1] as string;
      net.disconnect('n0', last);
      net.disconnect(ids[size - 2] as string, last);
      net.run();
      expectConverged(net);
      for (const id of ids.slice(0, -1)) {
        expect(net.table(id).nextHop(last), id).toBeUndefined();
        expect([...net.table(id).remoteEntries()].some((r) => r.entry.node === last), id).toBe(false);
      }
      expect([...net.table(last).remoteEntries()]).toEqual([]);

      net.connect('n0', last);
      net.connect(ids[size - 2] as string, last);
      net.run();
      expectConverged(net);
      expectLoopFreePaths(net);
    }
  });

  it('a full mesh of 4 learns one subscription in exactly 9 messages and sends nothing more', () => {
    // The owner tells its 3 neighbours (3); each of them tells the other 2 (6); those
    // 2-hop paths lose to the direct ones, so nobody answers. Anything more is chatter.
    const ids = NODES(4);
    const net = new Network(ids, fullMesh(ids));
    expect(net.run()).toBe(0);
    net.subscribe('n0', 's0');
    expect(net.run()).toBe(9);
    expectConverged(net);
    net.unsubscribe('n0', 's0');
    // Taking it back explores the 2- and 3-hop alternates before they die too (BGP's
    // path hunting). Bound: a link out of the owner carries 1 path then 1 withdrawal;
    // each of the other 6 directed links at most its 2 possible paths (via the owner
    // directly, or via the third node) then 1 withdrawal: 3 × 2 + 6 × 3 = 24.
    expect(net.run()).toBeLessThanOrEqual(24);
    expectConverged(net);
  });

  it('a random graph of 8 converges within a message budget linear in subscriptions times directed links', () => {
    const rng = mulberry32(2024);
    const ids = NODES(8);
    const net = new Network(ids, randomConnected(ids, 12, rng), { rng });
    net.run();
    ids.forEach((id, i) => net.subscribe(id, `s${i}`));
    // Path exploration may try a few paths per link before settling; 4 per
    // (subscription, directed link) is far above what a chatter-free run needs.
    expect(net.run()).toBeLessThanOrEqual(8 * 24 * 4);
    expectConverged(net);
  });

  it('a link reported up again without going down is reset: what came through it is withdrawn, then the full table is sent', () => {
    const net = converged(['a', 'b', 'c'], line(['a', 'b', 'c']));
    const again = net.table('b').linkUp(linkId('a', 'b'), 'a');
    expect(again.removed).toEqual([{ node: 'a', sub: 'g0' }, { node: 'a', sub: 's0' }]);
    expect(again.send.map((s) => (s.kind === 'advertise' ? `${s.link} + ${s.adv.path.join('>')}/${s.adv.sub}` : `${s.link} - ${s.node}/${s.sub}`)))
      .toEqual(['b~c - a/g0', 'b~c - a/s0', 'a~b + b/s1', 'a~b + c>b/g2', 'a~b + c>b/s2']);
  });
});
