// Chaos, shared by the stores: a durable consumer process is SIGKILLed mid-stream and started
// again. Every published event must be handled at least once (none lost); duplicates (events
// handled, not yet acknowledged, when the kill landed) are counted and printed.
import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, expect } from 'vitest';
import type { Mesh } from '../../../src/index.js';
import { until } from '../../support/expect-code.js';

/** Forks consumer processes of `fixture` with `args`; every one still running is killed after the file. */
export function consumerProcesses(fixture: string, args: () => string[]): (handled: number[]) => Promise<ChildProcess> {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  return (handled) => {
    const child = fork(fixture, args(), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    // Resolves once its durable subscription is attached.
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`consumer exited before ready (${String(code ?? signal)})`)));
      child.on('message', (m: { type: string; n?: number }) => {
        if (m.type === 'handled') handled.push(m.n as number);
        else if (m.type === 'ready') resolve(child);
      });
    });
  };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Publishes `total` events from `producer` while a consumer is killed after a quarter and restarted: none may be lost. */
export async function killMidStream(name: string, producer: Mesh, startConsumer: (handled: number[]) => Promise<ChildProcess>, total = 600): Promise<void> {
  const handled: number[] = [];
  const first = await startConsumer(handled);
  let published = 0;
  const publishing = (async () => {
    for (; published < total; published++) {
      await producer.publish('chaos.item', published);
      if (published % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await until(() => handled.length >= total / 4, 60_000);
  await kill(first);
  const killedAt = handled.length;
  const second = await startConsumer(handled);
  await publishing;
  await until(() => new Set(handled).size >= total, 60_000);
  const counts = new Map<number, number>();
  for (const n of handled) counts.set(n, (counts.get(n) ?? 0) + 1);
  const duplicates = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  console.log(`${name} chaos: ${total} published, killed after ${killedAt} handled, ${handled.length} handled in all, ` +
    `${duplicates.length} duplicates: [${duplicates.join(', ')}]`);
  const lost = Array.from({ length: total }, (_, i) => i).filter((i) => !counts.has(i));
  expect(lost).toEqual([]);
  second.send({ cmd: 'close' });
  await new Promise((resolve) => second.once('exit', resolve));
}
