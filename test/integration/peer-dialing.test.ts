import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { TcpProxy, deadPort } from '../support/tcp-proxy.js';

const mesh = closedAfterEach();
/** Closes what a test opened besides meshes (run before the meshes close: open connections are cut). */
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listening(server: Server): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `tcp://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

/** A plain TCP server that accepts and closes at once; `accepts` are the times (ms) it did. */
async function acceptAndClose(): Promise<{ url: string; accepts: number[] }> {
  const accepts: number[] = [];
  const url = await listening(createServer((socket) => {
    accepts.push(performance.now());
    socket.destroy();
  }));
  return { url, accepts };
}

function collect(m: ReturnType<typeof mesh>): MeshError[] {
  const errors: MeshError[] = [];
  m.on('error', (e) => void errors.push(e));
  return errors;
}

const summary = (errors: MeshError[]): unknown[] => errors.map((e) => [e.code, e.details?.['peer']]);

describe('start({ waitForPeers })', () => {
  it('resolves once the peer is linked and its interest known: an event emitted at once crosses', async () => {
    const port = await deadPort();
    const orders = mesh({ id: 'orders', peers: [`tcp://127.0.0.1:${String(port)}`] });
    collect(orders);
    const started = orders.start({ waitForPeers: 15_000 });
    // The peer is down when dialing begins: the first attempt fails, the wait goes on.
    await until(() => orders.peers()[0]?.lastError !== undefined, 5000);
    expect(orders.peers()).toMatchObject([{ dialed: true, address: `tcp://127.0.0.1:${String(port)}`, lastError: { code: 'ERR_MESH_PEER_UNREACHABLE' } }]);
    const billing = mesh({ id: 'billing', listen: { port } });
    const billed: unknown[] = [];
    billing.subscribe('com.shop.order.*', (e) => void billed.push(e.data));
    await billing.start();
    await started;
    orders.emit('com.shop.order.created', 1);
    await until(() => billed.length === 1, 5000);
    expect(orders.peers()).toMatchObject([{ node: 'billing', dialed: true, state: 'linked', address: `tcp://127.0.0.1:${String(port)}`, lastError: undefined }]);
  });

  it('rejects with ERR_MESH_PEER_UNREACHABLE naming the peers not linked; the mesh stays started and keeps dialing', async () => {
    const up = mesh({ id: 'up', listen: { port: 0 } });
    await up.start();
    const upUrl = `tcp://127.0.0.1:${String(up.address?.port)}`;
    const port = await deadPort();
    const downUrl = `tcp://127.0.0.1:${String(port)}`;
    const node = mesh({ id: 'node', peers: [upUrl, downUrl] });
    const errors = collect(node);
    const failure = await node.start({ waitForPeers: 300 }).then(() => undefined, (err: unknown) => err as MeshError);
    expect(failure).toMatchObject({ code: 'ERR_MESH_PEER_UNREACHABLE', retryable: true, details: { peers: [downUrl] } });
    expect(node.peers().map((p) => [p.address, p.state === 'linked'])).toEqual([[upUrl, true], [downUrl, false]]);
    expect(node.peers()[1]).toMatchObject({ node: '', dialed: true, outbound: undefined, lastError: { code: 'ERR_MESH_PEER_UNREACHABLE' } });
    await node.start(); // started: resolves as before
    const later = mesh({ id: 'later', listen: { port } });
    await later.start();
    await node.start({ waitForPeers: 15_000 });
    expect(node.peers().map((p) => [p.node, p.state])).toEqual([['up', 'linked'], ['later', 'linked']]);
    expect(summary(errors)).toEqual([['ERR_MESH_PEER_UNREACHABLE', downUrl]]);
  });

  it('resolves at once without configured peers, and rejects with ERR_MESH_CLOSED when the mesh closes while waiting', async () => {
    await mesh({ listen: { port: 0 } }).start({ waitForPeers: 0 });
    const node = mesh({ peers: [`tcp://127.0.0.1:${String(await deadPort())}`] });
    node.on('error', () => undefined);
    const waiting = node.start({ waitForPeers: 60_000 });
    await until(() => node.peers()[0]?.state === 'backoff', 5000);
    await node.close();
    await expectRejectCode(waiting, 'ERR_MESH_CLOSED');
  });
});

describe('redialing a configured peer', () => {
  it('backs off an address that accepts and closes, and reports it once, naming the address', async () => {
    const { url, accepts } = await acceptAndClose();
    const node = mesh({ peers: [url] });
    const errors = collect(node);
    await node.start();
    await until(() => accepts.length >= 6, 30_000);
    // Jitter is ±50 % of a base that doubles from 200 ms: gap k is at least 50·2^k ms.
    // A lower bound only: a loaded machine makes gaps longer, never shorter.
    const gaps = accepts.slice(1, 6).map((t, i) => t - (accepts[i] as number));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(50 * 2 ** (i + 1) - 5));
    expect(summary(errors)).toEqual([['ERR_MESH_PEER_UNREACHABLE', url]]);
    expect(errors[0]?.message).toContain(url);
    expect(node.peers()).toMatchObject([{ address: url, lastError: { code: 'ERR_MESH_PEER_UNREACHABLE' } }]);
  }, 40_000);

  it('reports an HTTP server on the address once, with the wire error and the address', async () => {
    let attempts = 0;
    const url = await listening(createHttpServer((_req, res) => res.end()).on('connection', () => void attempts++));
    const node = mesh({ peers: [url] });
    const errors = collect(node);
    await node.start();
    await until(() => attempts >= 4, 30_000);
    expect(summary(errors)).toEqual([['ERR_MESH_WIRE_BAD_MAGIC', url]]);
  }, 40_000);

  it('reports a peer unreachable once per outage, again after it was linked and lost again', async () => {
    const billing = mesh({ id: 'billing', listen: { port: 0 } });
    await billing.start();
    const front = await SwitchableFront.start(billing.address?.port as number);
    const node = mesh({ id: 'node', peers: [front.url] });
    const errors = collect(node);
    let ups = 0;
    node.on('peer:up', () => void ups++);
    await node.start();
    await until(() => ups === 1, 10_000);
    for (const outage of [1, 2]) {
      const before = front.dropped;
      front.drop();
      await until(() => front.dropped >= before + 3, 30_000);
      expect(summary(errors)).toEqual(Array.from({ length: outage }, () => ['ERR_MESH_PEER_UNREACHABLE', front.url]));
      front.pass();
      await until(() => ups === outage + 1, 30_000);
    }
  }, 60_000);

  it('dials a node with its own id (itself) at the slowest pace only, and reports ERR_MESH_PEER_SAME_ID once', async () => {
    const port = await deadPort();
    const self = await TcpProxy.start(port); // counts the dials that reach the node itself
    closers.push(() => self.down());
    const control = await acceptAndClose(); // an address failing the ordinary way, as a clock
    const selfUrl = `tcp://${self.url}`;
    const node = mesh({ id: 'twin', listen: { port }, peers: [selfUrl, control.url] });
    const errors = collect(node);
    await node.start();
    // Four failed dials of the control address take at most 0.3 + 0.6 + 1.2 s of backoff;
    // the node itself is redialed no sooner than 5 s (10 s ± 50 %) after its refusal.
    await until(() => control.accepts.length >= 4, 30_000);
    expect(self.accepted).toBe(1);
    expect(summary(errors).sort()).toEqual([['ERR_MESH_PEER_SAME_ID', selfUrl], ['ERR_MESH_PEER_UNREACHABLE', control.url]]);
    expect(errors.find((e) => e.code === 'ERR_MESH_PEER_SAME_ID')?.retryable).toBe(false);
    expect(node.peers()).toMatchObject([
      { address: selfUrl, state: 'backoff', lastError: { code: 'ERR_MESH_PEER_SAME_ID' } },
      { address: control.url, lastError: { code: 'ERR_MESH_PEER_UNREACHABLE' } },
    ]);
  }, 40_000);

  it('refuses a peer with its own id on the accepting side, without a report there', async () => {
    const a = mesh({ id: 'twin', listen: { port: 0 } });
    const aErrors = collect(a);
    await a.start();
    const url = `tcp://127.0.0.1:${String(a.address?.port)}`;
    const b = mesh({ id: 'twin', peers: [url] });
    const bErrors = collect(b);
    await b.start();
    await until(() => bErrors.length > 0, 5000);
    expect(summary(bErrors)).toEqual([['ERR_MESH_PEER_SAME_ID', url]]);
    expect(aErrors).toEqual([]);
    expect(a.peers()).toEqual([]);
  });
});

/**
 * A port in front of a node: passes connections through to it, or (after `drop()`)
 * cuts those open and accepts and closes new ones, counting them: an outage whose
 * redials can be counted.
 */
class SwitchableFront {
  dropped = 0;
  url = '';
  private dropping = false;
  private readonly open = new Set<Socket>();
  private readonly server = createServer((client) => this.accept(client));

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<SwitchableFront> {
    const front = new SwitchableFront(targetPort);
    front.url = await listening(front.server);
    return front;
  }

  drop(): void {
    this.dropping = true;
    for (const socket of this.open) socket.destroy();
  }

  pass(): void {
    this.dropping = false;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.dropping || !this.server.listening) {
      this.dropped++;
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    upstream.on('error', () => undefined);
    for (const s of [client, upstream]) {
      this.open.add(s);
      s.on('close', () => this.open.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
