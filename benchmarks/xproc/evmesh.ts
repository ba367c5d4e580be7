/**
 * evmesh over its own TCP federation: the peer (B) listens, the driver (A) dials it.
 * Throughput: A `mesh.emit(topic, data)`, B subscribes and counts. Round trip: A
 * `await mesh.request(topic, data)`, B's handler returns the data it got (a ~1 KB reply).
 */
import { loadKernel, type Mesh } from '../evmesh.js';
import { ORDER, SOURCE, TOPIC, sleep, yieldToLoop, type DriverSide, type PeerArgs, type PeerSide, type XprocLib } from './common.js';

const ECHO = 'com.shop.order.echo';
/** Request data that only asks whether B's subscription has reached A (interest is asynchronous). */
const PROBE = 'ready?';
/**
 * Events per synchronous burst before the driver yields so the link can flush: the net
 * case's 64 frames per write. (Bursts of 1,000 left the receiver idle while the sender
 * built the next one, then the sender idle while the receiver caught up.)
 */
const BURST = 64;
/**
 * Outbound bytes the link may hold before the driver waits for the peer, as the net
 * case waits for 'drain' and NATS for its flush: past 8 MiB the link would refuse
 * frames (ERR_MESH_WIRE_BACKPRESSURE), by design.
 */
const MAX_QUEUED = 2 * 1024 * 1024;

function peer(args: PeerArgs): PeerSide {
  let mesh: Mesh | undefined;
  return {
    async start(onEvent) {
      const { createMesh } = await loadKernel();
      const m = (mesh = createMesh({ id: 'b', source: SOURCE, listen: { port: 0 } }));
      m.on('error', (err) => console.error(`peer b: ${err.code}: ${err.message}`));
      if (args.mode === 'throughput') {
        // The probe is answered by the very subscription under test, so once A gets an
        // answer it knows that this subscription's interest has arrived.
        m.subscribe(TOPIC, (e) => {
          if (e.data === PROBE) return 'ready';
          onEvent();
          return undefined;
        });
      } else {
        m.subscribe(ECHO, (e) => e.data);
      }
      await m.start();
      return { port: m.address!.port };
    },
    async close() {
      await mesh?.close();
    },
  };
}

function driver(args: PeerArgs): DriverSide {
  let mesh: Mesh | undefined;
  let failure: Error | undefined;
  const topic = args.mode === 'throughput' ? TOPIC : ECHO;
  const m = (): Mesh => mesh!;
  return {
    async connect(port) {
      const { createMesh } = await loadKernel();
      mesh = createMesh({ id: 'a', source: SOURCE, peers: [`tcp://127.0.0.1:${port}`] });
      // emit() reports later failures (backpressure, a dropped link) here, not by throwing.
      mesh.on('error', (err) => (failure ??= err));
      await mesh.start();
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await mesh.request(topic, PROBE, { timeout: 1000 });
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`peer subscription never arrived: ${String(err)}`, { cause: err });
          await sleep(10);
        }
      }
    },
    async send(n) {
      const mm = m();
      for (let i = 1; i <= n; i++) {
        mm.emit(TOPIC, ORDER);
        if (i % BURST === 0) {
          await yieldToLoop();
          while ((mm.peers()[0]?.outbound?.queuedBytes ?? 0) > MAX_QUEUED) await sleep(1);
          if (failure) throw failure;
        }
      }
      await yieldToLoop();
      if (failure) throw failure;
    },
    async roundTrip() {
      const reply = await m().request(ECHO, ORDER, { timeout: 5000 });
      if (reply.data === undefined) throw new Error('empty reply');
    },
    bytesPerEvent() {
      const out = m().peers()[0]?.outbound;
      // A batch frame (PROTOCOL §5.6) is one frame carrying several events.
      const events = out === undefined ? 0 : out.frames - out.batches + out.batched;
      return out && events > 0 ? Math.round(out.bytes / events) : 0;
    },
    async close() {
      await mesh?.close();
    },
  };
}

export default { peer, driver } satisfies XprocLib;
