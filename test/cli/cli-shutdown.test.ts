// SIGTERM while events flow into `evmesh node` (the built bin) from HTTP and a stock
// client: every event the node acknowledged (HTTP 202, a stock publish ACK with code 0)
// reaches the embedded peer subscribed behind it, and the node exits 0. The peer reads
// through a proxy that stops reading for a while at the end, so what the node sent last
// is still in its socket buffers when the signal comes: the node must flush them before
// it exits, not drop them.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from '../../src/index.js';
import { StockClient, cloudEvent } from '../integration/stock-client.js';
import { until } from '../support/expect-code.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { buildOnce, CliNode } from './cli-process.js';

beforeAll(buildOnce, 180_000);

/** 16 KiB per event: a few hundred of them outgrow the loopback socket buffers. */
const PAD = 'x'.repeat(16 * 1024);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** POSTs one event after another until the node stops answering; returns the ids it acknowledged. */
async function httpLoad(base: string, acked: Set<string>, stopped: () => boolean): Promise<void> {
  for (let i = 0; !stopped(); i++) {
    try {
      const res = await fetch(`${base}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': `http-${i}`, 'ce-source': '/load', 'ce-type': 'load.http' },
        body: JSON.stringify({ i, pad: PAD }),
      });
      if (res.status === 202) for (const id of ((await res.json()) as { ids: string[] }).ids) acked.add(id);
      else await res.body?.cancel();
    } catch {
      return; // connection refused or reset: the node has stopped listening
    }
  }
}

/** Publishes one event after another over a stock session until it closes; records the ACKed ids. */
async function stockLoad(client: StockClient, acked: Set<string>): Promise<void> {
  for (let i = 0; !client.isClosed; i++) {
    const event = cloudEvent('load.stock', { i, pad: PAD });
    const ack = await Promise.race([client.publish(event), client.closed.then(() => undefined)]);
    if (ack === undefined) return; // no ACK: the session closed under it
    if (ack.header.code === 0) acked.add(event['id'] as string);
  }
}

/** A peer behind `peerAddress`, a stock publisher and two HTTP publishers sending to `node` until it exits. */
async function underLoad(node: CliNode, peerAddress: string): Promise<{ acked: Set<string>; received: Set<string>; loads: Promise<unknown>[] }> {
  const peer: Mesh = createMesh({ id: 'behind', peers: [`tcp://${peerAddress}`], logLevel: 'silent' });
  cleanup.push(() => peer.close());
  const received = new Set<string>();
  peer.subscribe('load.#', (e) => void received.add(e.id));
  await peer.start({ waitForPeers: 10_000 });
  const pub = await StockClient.session(node.tcpPort, 'pub', 'LoadGroup');
  cleanup.push(() => pub.destroy());
  const acked = new Set<string>();
  let exited = false;
  void node.exited.then(() => void (exited = true));
  const loads = [httpLoad(node.http, acked, () => exited), httpLoad(node.http, acked, () => exited), stockLoad(pub, acked)];
  await until(() => [...acked].filter((id) => id.startsWith('http-')).length >= 50 && [...acked].filter((id) => id.startsWith('ce-')).length >= 50, 20_000, 5);
  return { acked, received, loads };
}

/** The node drained and exited 0, and every event it acknowledged reached the peer. */
async function expectNoneLost(node: CliNode, code: number | null, run: { acked: Set<string>; received: Set<string>; loads: Promise<unknown>[] }): Promise<void> {
  await Promise.all(run.loads);
  expect(code).toBe(0);
  expect(node.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'mesh closed', 'stopped']));
  await until(() => [...run.acked].every((id) => run.received.has(id)), 10_000, 10).catch(() => undefined);
  const lost = [...run.acked].filter((id) => !run.received.has(id));
  expect({ acked: run.acked.size > 100, lost }).toEqual({ acked: true, lost: [] });
}

describe('evmesh node on SIGTERM', () => {
  it('loses none of the events it acknowledged while they flowed, and exits 0', async () => {
    const node = await CliNode.start(['--id', 'draining']);
    const run = await underLoad(node, `127.0.0.1:${node.tcpPort}`);
    await expectNoneLost(node, await node.stop('SIGTERM'), run);
  }, 60_000);

  // The peer reads nothing from before SIGTERM until the node is stopping: the node's close must
  // still write what it acknowledged (mesh.close() ends links gracefully within closeTimeout).
  it('loses none it acknowledged while a slow peer still held them, and exits 0', async () => {
    const node = await CliNode.start(['--id', 'draining']);
    const proxy = await TcpProxy.start(node.tcpPort);
    cleanup.push(() => proxy.down());
    const run = await underLoad(node, proxy.url);
    proxy.hold();
    const before = run.acked.size;
    await until(() => run.acked.size >= before + 300, 20_000, 5);
    const stopped = node.stop('SIGTERM');
    await until(() => node.lines.some((l) => l.msg === 'stopping'), 10_000, 5);
    proxy.release();
    await expectNoneLost(node, await stopped, run);
  }, 60_000);
});
