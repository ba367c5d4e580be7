import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type MeshError } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import { encodeFrame, type WireFrame } from '../../src/wire/frame.js';
import { NodeProcess } from './node-process.js';

const running: NodeProcess[] = [];
const meshes: Mesh[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.close()));
  await Promise.all(meshes.splice(0).map((m) => m.close()));
});

async function start(config: Parameters<typeof NodeProcess.start>[0]): Promise<NodeProcess> {
  const node = await NodeProcess.start(config);
  running.push(node);
  return node;
}

const at = (node: NodeProcess): string => `tcp://127.0.0.1:${String(node.port)}`;

describe('federation between processes over TCP', () => {
  it('carries events and requests along a line of 3, each event once', async () => {
    const a = await start({ id: 'a', port: 0, subscribe: ['o.*'], respond: ['ask.a'] });
    const b = await start({ id: 'b', port: 0, peers: [at(a)] });
    const c = await start({ id: 'c', peers: [at(b)], subscribe: ['o.*'], respond: ['ask.c'] });
    expect(await a.requestUntilAnswered('ask.c')).toEqual({ from: 'c', echo: null });
    expect(await c.requestUntilAnswered('ask.a')).toEqual({ from: 'a', echo: null });
    for (let i = 0; i < 20; i++) a.emit('o.created', i);
    c.emit('o.created', 'from c');
    await until(() => c.events.length === 21 && a.events.length === 21, 10_000);
    // Each event exactly once; per origin in publish order (no order across origins).
    const fromA = Array.from({ length: 20 }, (_, i) => i);
    for (const node of [a, c]) {
      expect(node.events.filter((e) => e.data !== 'from c').map((e) => e.data)).toEqual(fromA);
      expect(node.events.filter((e) => e.data === 'from c')).toHaveLength(1);
    }
    expect((await a.request('ask.nobody', 10_000)).code).toBe('ERR_MESH_NO_RESPONDER');
  });

  it('delivers each event once to every node of a full mesh of 4', async () => {
    const a = await start({ id: 'a', port: 0, subscribe: ['o.*'] });
    const b = await start({ id: 'b', port: 0, peers: [at(a)], subscribe: ['o.*'] });
    const c = await start({ id: 'c', port: 0, peers: [at(a), at(b)], subscribe: ['o.*'] });
    const d = await start({ id: 'd', peers: [at(a), at(b), at(c)], subscribe: ['o.*'], respond: ['ask.d'] });
    for (const n of [a, b, c]) await n.requestUntilAnswered('ask.d');
    for (const n of [a, b, c, d]) n.emit('o.created', n === a ? 'a' : n === b ? 'b' : n === c ? 'c' : 'd');
    await until(() => [a, b, c, d].every((n) => n.events.length >= 4), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const n of [a, b, c, d]) expect(n.events.map((e) => e.data).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a ring running when one node is killed, and takes the node back when it restarts', async () => {
    const a = await start({ id: 'a', port: 0, subscribe: ['o.*'] });
    const b = await start({ id: 'b', port: 0, peers: [at(a)], subscribe: ['o.*'] });
    const cConfig = { id: 'c', port: 0, peers: [at(a), at(b)], subscribe: ['o.*'], respond: ['ask.c'] };
    const c = await start(cConfig);
    await a.requestUntilAnswered('ask.c');
    await c.kill();
    a.emit('o.created', 'while c is down');
    await until(() => b.events.some((e) => e.data === 'while c is down'), 10_000);
    const c2 = await start({ ...cConfig, port: c.port });
    await a.requestUntilAnswered('ask.c');
    a.emit('o.created', 'after restart');
    // Two receivers in two processes: neither is bound to hear it first.
    const afterRestart = (node: typeof b): number => node.events.filter((e) => e.data === 'after restart').length;
    await until(() => afterRestart(c2) > 0 && afterRestart(b) > 0, 10_000);
    expect([afterRestart(b), afterRestart(c2)]).toEqual([1, 1]);
  }, 60_000); // five child processes started one after another: slow on a loaded machine
});

describe('peer signals and stats', () => {
  it("signal 'peer:up' and 'peer:down' and list connected peers with their outbound counters", async () => {
    const a = createMesh({ id: 'a', listen: { port: 0 } });
    meshes.push(a);
    const seen: string[] = [];
    a.on('peer:up', (p) => void seen.push(`up ${p.node} dialed=${String(p.dialed)}`));
    a.on('peer:down', (p) => void seen.push(`down ${p.node}`));
    await a.start();
    const b = createMesh({ id: 'b', peers: [`tcp://127.0.0.1:${String(a.address?.port)}`] });
    b.on('peer:up', (p) => void seen.push(`b sees ${p.node} dialed=${String(p.dialed)}`));
    await b.start();
    await until(() => seen.length === 2, 5000);
    expect(seen.sort()).toEqual(['b sees a dialed=true', 'up b dialed=false']);
    const [peer] = b.peers();
    expect(peer).toMatchObject({ node: 'a', dialed: true, remoteAddress: '127.0.0.1', state: 'linked', address: `tcp://127.0.0.1:${String(a.address?.port)}`, lastError: undefined });
    expect(a.peers()).toMatchObject([{ node: 'b', dialed: false, state: 'linked', address: undefined }]);
    expect(peer?.outbound?.frames).toBeGreaterThan(0);
    expect(peer?.outbound?.queuedBytes).toBe(0);
    await b.close();
    await until(() => seen.includes('down b'), 5000);
    expect(a.peers()).toEqual([]);
  });
});

describe('a node given garbage on its port', () => {
  it('closes that connection only and keeps serving its peers', async () => {
    const server = createMesh({ id: 'server', listen: { port: 0 } });
    meshes.push(server);
    const errors: MeshError[] = [];
    server.on('error', (e) => void errors.push(e));
    server.subscribe('q', () => 'still here');
    await server.start();
    const port = server.address?.port as number;
    const peer = createMesh({ id: 'peer', peers: [`tcp://127.0.0.1:${port}`] });
    meshes.push(peer);
    await peer.start();
    await until(() => errors.length === 0, 100);

    for (const garbage of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), oversizedPrefix()]) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(garbage));
        socket.on('close', () => resolve(true));
        socket.on('error', () => undefined);
        setTimeout(() => resolve(false), 3000).unref();
      });
      expect(closed).toBe(true);
    }
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_MAGIC', 'ERR_MESH_WIRE_FRAME_TOO_LARGE']);
    await until(async () => (await peer.request('q', null, { timeout: 200 }).then((r) => r.data, () => undefined)) === 'still here', 5000);
  });
});

describe('a node speaking to a raw EventMesh TCP connection', () => {
  async function server(heartbeatInterval = 2000): Promise<{ port: number; errors: string[] }> {
    const m = createMesh({ id: 'server', listen: { port: 0 }, heartbeatInterval });
    meshes.push(m);
    const errors: string[] = [];
    m.on('error', (e) => void errors.push(e.code));
    await m.start();
    return { port: m.address?.port as number, errors };
  }

  /** Sends `frame` and collects decoded frames until the server closes the connection. */
  /** Sends `frames` on a raw connection; resolves with every frame received (also pushed to `got` as they come) once it closes. */
  function exchange(port: number, frames: WireFrame[], got: WireFrame[] = []): Promise<WireFrame[]> {
    return new Promise((resolve) => {
      const decoder = new FrameDecoder({ onFrame: (f) => void got.push(f), onError: () => undefined });
      const socket = connect(port, '127.0.0.1', () => {
        for (const frame of frames) socket.write(encodeFrame(frame));
      });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
    });
  }

  it('answers a HELLO with neither evmeshnode nor a UserAgent with code 1 and closes', async () => {
    const { port } = await server();
    const hello: WireFrame = { header: { cmd: 'HELLO_REQUEST', code: 0, seq: '0123456781', properties: {} }, body: undefined };
    const got = await exchange(port, [hello]);
    expect(got.map((f) => [f.header.cmd, f.header.code, f.header.seq])).toEqual([['HELLO_RESPONSE', 1, '0123456781']]);
  });

  it('says goodbye (SERVER_GOODBYE_REQUEST, code 0) to an accepted peer when it closes', async () => {
    const m = createMesh({ id: 'closing', listen: { port: 0 } });
    await m.start();
    const hello: WireFrame = { header: { cmd: 'HELLO_REQUEST', code: 0, seq: '1', properties: { evmeshnode: 'p', evmeshproto: '1' } }, body: undefined };
    const received: WireFrame[] = [];
    const frames = exchange(m.address?.port as number, [hello], received);
    await until(() => received.some((f) => f.header.cmd === 'HELLO_RESPONSE' && f.header.code === 0));
    await m.close();
    const got = await frames;
    expect(got.map((f) => [f.header.cmd, f.header.code])).toContainEqual(['SERVER_GOODBYE_REQUEST', 0]);
    expect(got.at(-1)?.header.cmd).toBe('SERVER_GOODBYE_REQUEST');
  });

  it('drops a peer that goes silent after its HELLO, within three heartbeat intervals', async () => {
    const { port } = await server(50);
    const hello: WireFrame = { header: { cmd: 'HELLO_REQUEST', code: 0, seq: '1', properties: { evmeshnode: 'quiet', evmeshproto: '1' } }, body: undefined };
    const started = Date.now();
    const got = await exchange(port, [hello]);
    expect(got[0]?.header).toMatchObject({ cmd: 'HELLO_RESPONSE', code: 0, properties: { evmeshnode: 'server' } });
    expect(got.some((f) => f.header.cmd === 'HEARTBEAT_REQUEST')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/** A valid prefix declaring a 64 MiB frame: refused before any of it is buffered. */
function oversizedPrefix(): Buffer {
  const prefix = Buffer.alloc(21);
  prefix.write('EventMesh0000', 0, 'ascii');
  prefix.writeInt32BE(64 * 1024 * 1024, 13);
  prefix.writeInt32BE(10, 17);
  return prefix;
}
