import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { InterestTable } from '../../src/federation/interest-table.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** A hub: `from`..`to` peers, each on its own link, each advertising one subscription of its own. */
function addPeers(table: InterestTable, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const peer = `peer-${String(i)}`;
    table.linkUp(`link-${String(i)}`, peer);
    table.advertise(`link-${String(i)}`, { node: peer, sub: 's', pattern: `bench.p${String(i)}`, path: [peer] });
  }
}

describe('interest table of a hub (issue 11 item 5)', () => {
  it('holds state linear in its peers: the second N peers cost no more than the first N', () => {
    const n = 600;
    const table = new InterestTable('hub');
    table.addLocal({ node: 'hub', sub: 'own', pattern: 'hub.own' });
    const h0 = heapAfterGc();
    addPeers(table, 0, n);
    const h1 = heapAfterGc();
    addPeers(table, n, 2 * n);
    const h2 = heapAfterGc();
    // Every advertisement is passed on to every other peer (N² of them on the wire); what the
    // table keeps of that must not be one record per (link, subscription), which grew 3× here.
    expect([...table.remoteEntries()]).toHaveLength(2 * n);
    expect((h2 - h1) / (h1 - h0)).toBeLessThan(1.7);
  });
});

describe('interest table of a transit node (issue 16 target 4)', () => {
  it('holds a remote subscription learned along a path in well under 1 KB', () => {
    const n = 20_000;
    const table = new InterestTable('n4');
    table.linkUp('up', 'n5');
    table.linkUp('down', 'n3');
    const subs = Array.from({ length: n }, (_, i) => `s${String(i)}`);
    const patterns = subs.map((s) => `bench.${s}.#`);
    const path = JSON.stringify(['n9', 'n8', 'n7', 'n6', 'n5']);
    const h0 = heapAfterGc();
    // As decoded from frames: a path array of its own per advertisement.
    for (let i = 0; i < n; i++) table.advertise('up', { node: 'n9', sub: subs[i] as string, pattern: patterns[i] as string, path: JSON.parse(path) as string[] });
    const perSub = (heapAfterGc() - h0) / n;
    expect(table.nextHop('n9')).toBe('up');
    // Measured ~144 B (the one candidate held as the route, and its advertisement, paths
    // shared along a run); ~184 B with a route object { candidates, best } around it; ~230 B with a one-slot array of candidates; ~410 B with an offer object per
    // route and an array grown from empty; ~1,030 B with a Map of candidates and two path
    // copies per route.
    expect(perSub).toBeLessThan(165);
  });
});
