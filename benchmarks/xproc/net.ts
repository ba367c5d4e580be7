/**
 * The floor: one raw `net` connection, 4-byte length prefix, the CloudEvent
 * JSON.stringify'd by the sender and JSON.parse'd by the receiver (the anchors'
 * "json-cloudevent" case). Throughput writes are corked 64 frames at a time and wait for
 * 'drain'; round trips are one frame each way with Nagle off.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { cloudEvent, frame, frameReader, type DriverSide, type PeerArgs, type PeerSide, type XprocLib } from './common.js';

const CORK = 64;

function peer(args: PeerArgs): PeerSide {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async start(onEvent) {
      const srv = (server = createServer((s) => {
        sockets.add(s);
        s.setNoDelay(true);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
        s.on('data', args.mode === 'rtt'
          ? frameReader((text) => {
              const req = JSON.parse(text) as ReturnType<typeof cloudEvent>;
              s.write(frame(JSON.stringify({ ...req, id: `re-${req.id}`, type: `${req.type}.reply` })));
            })
          : frameReader((text) => {
              JSON.parse(text);
              onEvent();
            }));
      }));
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
      const addr = srv.address();
      return { port: typeof addr === 'object' && addr !== null ? addr.port : 0 };
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    },
  };
}

function driver(): DriverSide {
  let sock: Socket | undefined;
  let waiting: ((text: string) => void) | undefined;
  const ce = cloudEvent();
  let seq = 0;
  let bytes = 0;
  const next = (): Buffer => {
    ce.id = `bench-${++seq}`;
    const b = frame(JSON.stringify(ce));
    bytes += b.length;
    return b;
  };
  return {
    async connect(port) {
      const s = (sock = connect({ host: '127.0.0.1', port: port! }));
      s.setNoDelay(true);
      await once(s, 'connect');
      s.on('data', frameReader((text) => waiting?.(text)));
    },
    async send(n) {
      const s = sock!;
      for (let i = 0; i < n; i += CORK) {
        s.cork();
        for (let k = i; k < Math.min(n, i + CORK); k++) s.write(next());
        s.uncork();
        if (s.writableNeedDrain) await once(s, 'drain');
      }
    },
    async roundTrip() {
      const reply = new Promise<string>((resolve) => (waiting = resolve));
      sock!.write(next());
      JSON.parse(await reply);
    },
    bytesPerEvent: () => Math.round(bytes / Math.max(1, seq)),
    async close() {
      sock?.destroy();
    },
  };
}

export default { peer, driver } satisfies XprocLib;
