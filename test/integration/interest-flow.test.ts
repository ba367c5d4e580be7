import { describe, expect, it } from 'vitest';
import type { Mesh, MeshError } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';

// PROTOCOL §4.7: interest goes out as a link takes it, so a table larger than a link's
// outbound queue (8 MiB, §1.5) still crosses it instead of overflowing it.
const createMesh = closedAfterEach();
/** ~1.1 KB per advertisement with its filter: 8,000 of them are ~9 MB, past the 8 MiB queue. */
const SUBS = 8_000;
const SUBJECT = 'x'.repeat(1000);

function subscribeMany(mesh: Mesh, got: string[]): void {
  for (let i = 0; i < SUBS; i++) mesh.subscribe(`big.t${String(i)}`, (e) => void got.push(e.type), { filter: { exact: { subject: SUBJECT } } });
}

const learned = (mesh: Mesh): number => mesh.peers()[0]?.interest?.learned ?? 0;

function errorsOf(...meshes: Mesh[]): MeshError[] {
  const errors: MeshError[] = [];
  for (const m of meshes) m.on('error', (e) => void errors.push(e));
  return errors;
}

describe('interest larger than a link can queue (TCP)', () => {
  it('links to a node whose whole table is larger than the outbound queue, and routes to all of it', async () => {
    const owner = createMesh({ id: 'owner', listen: { port: 0 } });
    const got: string[] = [];
    subscribeMany(owner, got);
    await owner.start();
    const asker = createMesh({ id: 'asker', peers: [`tcp://127.0.0.1:${String(owner.address?.port)}`] });
    const errors = errorsOf(owner, asker);
    await asker.start({ waitForPeers: 15_000 });
    // 'peer:up' comes with the LISTEN, which follows the whole table (§4.3).
    expect(learned(asker)).toBe(SUBS);
    asker.emit(`big.t${String(SUBS - 1)}`, null, { subject: SUBJECT });
    await until(() => got.length === 1, 5000);
    expect(got).toEqual([`big.t${String(SUBS - 1)}`]);
    expect(errors).toEqual([]);
  });

  it('carries a burst of subscriptions made in one tick on a linked node, keeping the link', async () => {
    const owner = createMesh({ id: 'owner', listen: { port: 0 } });
    await owner.start();
    const asker = createMesh({ id: 'asker', peers: [`tcp://127.0.0.1:${String(owner.address?.port)}`] });
    const errors = errorsOf(owner, asker);
    await asker.start({ waitForPeers: 5000 });
    const got: string[] = [];
    subscribeMany(owner, got);
    await until(() => learned(asker) === SUBS, 15_000, 5);
    asker.emit('big.t0', null, { subject: SUBJECT });
    await until(() => got.length === 1, 5000);
    expect(errors).toEqual([]);
    expect(asker.peers().map((p) => p.state)).toEqual(['linked']);
  });
});
