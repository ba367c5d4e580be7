/**
 * Hub memory as peers grow (issue 11, item 5); the method and figures are in benchmarks/HUB.md.
 *
 *   ulimit -n 8192   # 1,000 raw peers need ~1,000 fds here and ~1,000 in the hub
 *   npx tsx benchmarks/hub-peers.ts [N ...] [--mode readers|stalled] [--max-outbound BYTES]
 *
 * For each N (default 250 500 1000) and mode (default both), a fresh hub process
 * (benchmarks/hub-peers-node.ts, `--expose-gc`) listens on 127.0.0.1:0. A legitimate peer, a
 * real evmesh mesh in this process, links to it and asks `bench.echo` of it every 20 ms for
 * the whole run. The hub's memory is sampled after a forced GC once that peer is linked
 * (baseline), once N raw peers are linked and the interest has settled, 6.5 s later (quiet:
 * three hub heartbeats, which trim quiet links' encoder chunks), and once they left.
 * A raw peer is a plain socket speaking the EventMesh frames (src/wire, peer-frames):
 * HELLO with an evmeshnode id, one SUBSCRIBE_REQUEST advertisement with its own pattern, LISTEN,
 * then a HEARTBEAT every second. `readers` read and discard everything; `stalled` pause their
 * sockets once the HELLO is answered and never read again.
 * Prints a markdown table row per run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createMesh, type Mesh } from '../src/index.js';
import { advertiseFrame, heartbeatFrame, helloFrame, listenFrame } from '../src/federation/peer-frames.js';
import { FrameDecoder, encodeFrame } from '../src/wire/index.js';
import { until } from '../test/support/expect-code.js';
import type { FromHub, HubSample } from './hub-peers-node.js';

type Mode = 'readers' | 'stalled';
const SETTLE_TIMEOUT = 300_000;
const CONNECT_BATCH = 50;
const QUIET_MS = 6_500;

interface Hub { readonly port: number; sample(): Promise<HubSample>; close(): Promise<void> }

async function forkHub(maxPeers: number, maxOutboundBytes: number | undefined): Promise<Hub> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./hub-peers-node.ts', import.meta.url)), [JSON.stringify({ maxPeers, maxOutboundBytes })], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
  });
  const waiting: ((s: HubSample) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (msg: FromHub) => {
      if (msg.op === 'ready') resolve(msg.port);
      else if (msg.op === 'sample') waiting.shift()?.(msg);
      else reject(new Error(msg.message));
    });
    child.once('exit', (code) => reject(new Error(`hub exited ${String(code)}`)));
  });
  return {
    port,
    sample: () => new Promise<HubSample>((resolve) => {
      waiting.push(resolve);
      child.send({ op: 'sample' });
    }),
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send({ op: 'close' });
    }),
  };
}

/** One raw peer: resolves once its HELLO is answered and its advertisement and LISTEN are sent. */
function rawPeer(port: number, index: number, mode: Mode): Promise<net.Socket> {
  const node = `raw-${String(index)}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // a shed stalled peer's socket is reset: expected
    const decoder = new FrameDecoder({
      onFrame: (frame) => {
        if (frame.header.cmd !== 'HELLO_RESPONSE') return;
        if (frame.header.code !== 0) return reject(new Error(`${node} refused: ${frame.header.desc ?? ''}`));
        socket.removeAllListeners('data');
        const adv = advertiseFrame('2', { node, sub: 's', pattern: `bench.peer.p${String(index)}`, path: [node] });
        socket.write(Buffer.concat([encodeFrame(adv), encodeFrame(listenFrame('3'))]));
        if (mode === 'stalled') socket.pause();
        else socket.on('data', () => undefined);
        resolve(socket);
      },
      onError: (err) => reject(err),
    });
    socket.on('data', (chunk) => decoder.push(chunk));
    socket.once('connect', () => socket.write(encodeFrame(helloFrame('1', node, '1.0.0', undefined))));
  });
}

/** The legitimate peer's requests, one at a time, every 20 ms, until stopped. */
function requester(mesh: Mesh): { sent: number; answered: number; failures: string[]; stop(): Promise<void> } {
  const state = { sent: 0, answered: 0, failures: [] as string[], running: true };
  const loop = (async () => {
    while (state.running) {
      state.sent++;
      try {
        const reply = await mesh.request('bench.echo', state.sent, { timeout: 10_000 });
        if ((reply.data as { echo: number }).echo === state.sent) state.answered++;
      } catch (err) {
        state.failures.push((err as { code?: string }).code ?? String(err));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return Object.assign(state, { stop: async () => { state.running = false; await loop; } });
}

interface Row {
  n: number; mode: Mode; base: HubSample; linked: HubSample; quiet: HubSample; left: HubSample; sent: number; answered: number;
  failures: string[]; connectMs: number;
}

/** Connects the raw peers in batches into `sockets` (which the heartbeat walks meanwhile). */
async function connectAll(port: number, n: number, mode: Mode, sockets: net.Socket[]): Promise<void> {
  for (let i = 0; i < n; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, n - i) }, (_, j) => rawPeer(port, i + j, mode));
    sockets.push(...(await Promise.all(batch)));
  }
}

async function settle(hub: Hub, expected: number, mode: Mode): Promise<HubSample> {
  let last: HubSample | undefined;
  // Every raw peer linked (or dropped: shed as a slow reader), and for readers every queue drained.
  await until(async () => {
    last = await hub.sample();
    if (last.linked + last.down < expected) return false;
    return mode === 'stalled' || last.drained === last.linked;
  }, SETTLE_TIMEOUT, 500);
  return last as HubSample;
}

async function run(n: number, mode: Mode, maxOutboundBytes: number | undefined): Promise<Row> {
  const hub = await forkHub(n + 100, maxOutboundBytes);
  const legit = createMesh({ id: 'legit', peers: [`tcp://127.0.0.1:${String(hub.port)}`] });
  legit.on('error', () => undefined);
  await legit.start({ waitForPeers: 10_000 });
  await until(async () => (await hub.sample()).linked === 1, 10_000, 50);
  const base = await hub.sample();
  const asking = requester(legit);
  const t0 = Date.now();
  // The hub closes a link it heard nothing from for 3 heartbeat intervals (6 s): every peer
  // linked so far says HEARTBEAT each second, also while later ones connect.
  const sockets: net.Socket[] = [];
  const heartbeat = setInterval(() => {
    for (const s of sockets) if (!s.destroyed) s.write(encodeFrame(heartbeatFrame('9')));
  }, 1000);
  await connectAll(hub.port, n, mode, sockets);
  const linked = await settle(hub, n + 1, mode);
  const connectMs = Date.now() - t0;
  // Three of the hub's 2 s heartbeats later, quiet links have let go of their 64 KiB encoder chunk.
  await new Promise((r) => setTimeout(r, QUIET_MS));
  const quiet = await hub.sample();
  clearInterval(heartbeat);
  for (const s of sockets) s.destroy();
  await until(async () => (await hub.sample()).linked === 1, SETTLE_TIMEOUT, 200);
  const left = await hub.sample();
  await asking.stop();
  await legit.close();
  await hub.close();
  return { n, mode, base, linked, quiet, left, sent: asking.sent, answered: asking.answered, failures: asking.failures, connectMs };
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

function format(r: Row): string {
  const heap = r.linked.heapUsed - r.base.heapUsed;
  const rss = r.linked.rss - r.base.rss;
  const ext = r.linked.external - r.base.external;
  const quiet = r.quiet.heapUsed - r.base.heapUsed + r.quiet.external - r.base.external;
  return `| ${String(r.n)} | ${r.mode} | ${mib(heap)} | ${mib(ext)} | ${mib(rss)} | ${kib((heap + ext) / r.n)} | `
    + `${mib(r.quiet.external - r.base.external)} | ${mib(r.quiet.rss - r.base.rss)} | ${kib(quiet / r.n)} | `
    + `${mib(r.linked.queuedBytes)} | ${String(r.linked.shed)}/${String(r.linked.down)} | ${mib(r.left.heapUsed - r.base.heapUsed)} | `
    + `${String(r.answered)}/${String(r.sent)}${r.failures.length > 0 ? ` (${[...new Set(r.failures)].join(', ')})` : ''} |`;
}

function parseArgs(argv: readonly string[]): { ns: number[]; modes: Mode[]; maxOutbound: number | undefined } {
  const ns: number[] = [];
  let modes: Mode[] = ['readers', 'stalled'];
  let maxOutbound: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--mode') modes = [argv[++i] as Mode];
    else if (a === '--max-outbound') maxOutbound = Number(argv[++i]);
    else ns.push(Number(a));
  }
  return { ns: ns.length > 0 ? ns : [250, 500, 1000], modes, maxOutbound };
}

const { ns, modes, maxOutbound } = parseArgs(process.argv.slice(2));
console.log('| N | mode | heap Δ MiB | external Δ MiB | rss Δ MiB | heap+external per peer KiB | quiet: external Δ MiB | quiet: rss Δ MiB | quiet: heap+external per peer KiB | queued MiB | shed/down | heap Δ after leave MiB | requests answered/sent |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const mode of modes) {
  for (const n of ns) console.log(format(await run(n, mode, maxOutbound)));
}
