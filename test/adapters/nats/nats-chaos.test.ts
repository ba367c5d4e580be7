import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../support/services.js';
import { until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';
import { NATS_URL, natsStores } from './nats-fixture.js';

const up = await serviceAvailable('nats');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'chaos-consumer.mts');

describe.runIf(up)('natsStore chaos: a consumer process SIGKILLed mid-stream', () => {
  const fixture = natsStores();
  const tracked = closedAfterEach();
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('after a restart every published event was handled at least once; none lost, duplicates counted', async () => {
    const handled = new Map<number, number>();
    const start = (): Promise<ChildProcess> => {
      const config = { servers: NATS_URL, stream: fixture.stream, prefix: fixture.prefix, durable: 'chaos', ackWait: 2000 };
      const child = fork(FIXTURE, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (m: { type: string; n?: number }) => {
        if (m.type === 'handled') handled.set(m.n as number, (handled.get(m.n as number) ?? 0) + 1);
      });
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`consumer exited early (${String(code)})`)));
        child.on('message', (m: { type: string }) => m.type === 'ready' && resolve(child));
      });
    };
    const total = 3000;
    const publisher = tracked({ store: fixture.store() });
    await publisher.start();
    const first = await start();
    let published = 0;
    const publishing = (async () => {
      while (published < total) {
        const batch = Array.from({ length: Math.min(50, total - published) }, (_, i) => publisher.publish('chaos.e', published + i));
        await Promise.all(batch);
        published += batch.length;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Mid-stream: some events handled, more in flight and unacknowledged, more still coming.
    await until(() => handled.size >= 600, 30_000);
    await new Promise<void>((resolve) => {
      first.once('exit', () => resolve());
      first.kill('SIGKILL');
    });
    const atKill = handled.size;
    await start();
    await publishing;
    // Unacknowledged events of the killed process come back after ack_wait (2 s here).
    await until(() => handled.size === total, 60_000);

    const lost = Array.from({ length: total }, (_, i) => i).filter((i) => !handled.has(i));
    const duplicates = [...handled.values()].reduce((sum, n) => sum + n - 1, 0);
    console.log(`[nats chaos] ${total} published, ${atKill} handled before SIGKILL, ${lost.length} lost, ${duplicates} duplicate deliveries`);
    expect(lost).toEqual([]);
    expect(atKill).toBeLessThan(total);
  }, 120_000);
});
