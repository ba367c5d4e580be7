/**
 * The forked side of a cross-process case: `fork(peer.ts, [JSON PeerArgs])` from driver.ts.
 * It receives (throughput: counts, and stamps tEnd at the last receive of an armed run) or
 * answers (rtt). Control messages come and go over the fork IPC channel only.
 */
import { loadLib, type FromPeer, type PeerArgs, type ToPeer } from './common.js';

const args = JSON.parse(process.argv[2] ?? '{}') as PeerArgs;
const tell = (msg: FromPeer): void => void process.send?.(msg);

let count = 0;
let target = Infinity;
const onEvent = (): void => {
  if (++count === target) tell({ op: 'done', tEnd: process.hrtime.bigint().toString(), count });
};

// The driver gone (or its case process exited) means this peer has nothing left to do.
process.on('disconnect', () => process.exit(0));

try {
  const side = (await loadLib(args.lib)).peer(args);
  process.on('message', (msg: ToPeer) => {
    if (msg.op === 'arm') {
      count = 0;
      target = msg.n;
      tell({ op: 'armed' });
    } else if (msg.op === 'count') {
      tell({ op: 'count', count });
    } else {
      void side.close().finally(() => process.exit(0));
    }
  });
  const { port } = await side.start(onEvent, (message) => tell({ op: 'error', message }));
  tell({ op: 'ready', port });
} catch (err) {
  tell({ op: 'error', message: `peer ${args.lib}: ${err instanceof Error ? err.message : String(err)}` });
  setTimeout(() => process.exit(1), 100);
}
