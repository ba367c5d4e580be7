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
