/**
 * NATS through the local nats-server (127.0.0.1:4222) with the nats.js client.
 * `nats`: every message is a CloudEvent JSON.stringify'd by the publisher and JSON.parse'd
 * by the subscriber, the same per-event work evmesh does. `nats-bytes`: the perf-anchors
 * case, one prebuilt 1,057 B buffer published over and over and never parsed.
 * Publishers `flush()` every 10k messages, as in the anchors.
 */
import { connect, type NatsConnection } from 'nats';
import { NATS_PORT, cloudEvent, yieldToLoop, type DriverSide, type PeerArgs, type PeerSide, type XprocLib } from './common.js';

const FLUSH_EVERY = 10_000;

const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');

function peer(args: PeerArgs): PeerSide {
  let nc: NatsConnection | undefined;
  return {
    async start(onEvent) {
      const c = (nc = await connect({ servers: `127.0.0.1:${NATS_PORT}`, name: 'bench-peer' }));
      if (args.mode === 'rtt') {
        c.subscribe(args.subject, {
          callback: (_err, msg) => {
            const req = JSON.parse(text(msg.data)) as ReturnType<typeof cloudEvent>;
            msg.respond(Buffer.from(JSON.stringify({ ...req, id: `re-${req.id}`, type: `${req.type}.reply` })));
          },
        });
      } else if (args.lib === 'nats-bytes') {
        c.subscribe(args.subject, { callback: () => onEvent() });
      } else {
        c.subscribe(args.subject, {
          callback: (_err, msg) => {
            JSON.parse(text(msg.data));
            onEvent();
          },
        });
      }
      await c.flush(); // the server has the subscription once its PONG is back
      return {};
    },
    async close() {
      await nc?.close();
    },
  };
}

function driver(args: PeerArgs): DriverSide {
  let nc: NatsConnection | undefined;
  const ce = cloudEvent();
  const prebuilt = Buffer.from(JSON.stringify(ce));
  let seq = 0;
  let bytes = 0;
  let msgs = 0;
  const next = (): Buffer => {
    ce.id = `bench-${++seq}`;
    const b = Buffer.from(JSON.stringify(ce));
    bytes += b.length;
    msgs++;
    return b;
  };
  return {
    async connect() {
      nc = await connect({ servers: `127.0.0.1:${NATS_PORT}`, name: 'bench-driver' });
    },
    async send(n) {
      const c = nc!;
      const raw = args.lib === 'nats-bytes';
      for (let i = 1; i <= n; i++) {
        c.publish(args.subject, raw ? prebuilt : next());
        if (i % FLUSH_EVERY === 0) await c.flush();
      }
      await c.flush();
      await yieldToLoop();
    },
    async roundTrip() {
      const msg = await nc!.request(args.subject, next(), { timeout: 5000 });
      JSON.parse(text(msg.data));
    },
    bytesPerEvent: () => (args.lib === 'nats-bytes' ? prebuilt.length : Math.round(bytes / Math.max(1, msgs))),
    async close() {
      await nc?.close();
    },
  };
}

export default { peer, driver } satisfies XprocLib;
