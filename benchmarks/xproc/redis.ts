/**
 * Redis pub/sub through the local redis-server (127.0.0.1:6379) with ioredis.
 * Throughput: PUBLISH in `pipeline()` batches of 1000 (each batch awaited), as in the
 * anchors; the subscriber JSON.parses every message. Round trip: ping-pong over two
 * channels (each side has a subscriber connection and a publisher connection).
 *
 * The server runs with its defaults, so a subscriber that falls behind by more than
 * `client-output-buffer-limit pubsub` (32 MB hard, 8 MB for 60 s) is disconnected; the
 * anchors raised that limit to 512 MB. A cut subscriber is reported, never reconnected.
 */
import { Redis } from 'ioredis';
import { REDIS_PORT, cloudEvent, type DriverSide, type PeerArgs, type PeerSide, type XprocLib } from './common.js';

const BATCH = 1000;

/** No reconnects and no offline queue: a dropped connection must fail the run, not hide in it. */
const client = (name: string): Redis =>
  new Redis({ host: '127.0.0.1', port: REDIS_PORT, connectionName: name, lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0 });

function peer(args: PeerArgs): PeerSide {
  const sub = client('bench-peer-sub');
  const pub = client('bench-peer-pub');
  let closing = false;
  return {
    async start(onEvent, onFail) {
      sub.on('close', () => closing || onFail('subscriber connection closed by the server (client-output-buffer-limit pubsub?)'));
      sub.on('error', () => undefined); // reported through 'close'
      await sub.connect();
      if (args.mode === 'rtt') {
        await pub.connect();
        sub.on('message', (_ch: string, msg: string) => {
          const req = JSON.parse(msg) as ReturnType<typeof cloudEvent>;
          void pub.publish(args.replySubject, JSON.stringify({ ...req, id: `re-${req.id}`, type: `${req.type}.reply` }));
        });
      } else {
        sub.on('message', (_ch: string, msg: string) => {
          JSON.parse(msg);
          onEvent();
        });
      }
      await sub.subscribe(args.subject); // resolves on the server's confirmation
      return {};
    },
    async close() {
      closing = true;
      sub.disconnect();
      pub.disconnect();
    },
  };
}

function driver(args: PeerArgs): DriverSide {
  const pub = client('bench-driver-pub');
  const sub = client('bench-driver-sub');
  const ce = cloudEvent();
  let seq = 0;
  let bytes = 0;
  let waiting: ((text: string) => void) | undefined;
  const next = (): string => {
    ce.id = `bench-${++seq}`;
    const s = JSON.stringify(ce);
    bytes += s.length;
    return s;
  };
  return {
    async connect() {
      await pub.connect();
      if (args.mode === 'rtt') {
        await sub.connect();
        sub.on('message', (_ch: string, msg: string) => waiting?.(msg));
        await sub.subscribe(args.replySubject);
      }
    },
    async send(n) {
      for (let i = 0; i < n; i += BATCH) {
        const p = pub.pipeline();
        for (let k = i; k < Math.min(n, i + BATCH); k++) p.publish(args.subject, next());
        await p.exec();
      }
    },
    async roundTrip() {
      const reply = new Promise<string>((resolve) => (waiting = resolve));
      await pub.publish(args.subject, next());
      JSON.parse(await reply);
    },
    bytesPerEvent: () => Math.round(bytes / Math.max(1, seq)),
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}

export default { peer, driver } satisfies XprocLib;
