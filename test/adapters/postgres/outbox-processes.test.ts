// The outbox across app processes sharing the database: each committed event routed
// live exactly once, and still routed when the process that committed it (or the
// relay holding it) is SIGKILLed before relaying it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outbox } from '../../../adapters/postgres/index.js';
import { until } from '../../support/expect-code.js';
import { freePort } from '../../support/free-port.js';
import { closedAfterEach } from '../../support/meshes.js';
import { serviceAvailable } from '../../support/services.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'pg-outbox-app.mts');
const LEASE = 500;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe.runIf(up)('outbox across processes', () => {
  const fixture = pgStores();
  const mesh = closedAfterEach();

  /** Starts an app process; resolves once its relay is attached. */
  function startApp(peer: string, dieOnLive = false): Promise<ChildProcess> {
    const child = fork(FIXTURE, [PG_URL, fixture.schema, peer, String(LEASE), dieOnLive ? 'die' : '-'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`app exited before ready (${String(code ?? signal)})`)));
      child.once('message', () => resolve(child));
    });
  }

  function published(child: ChildProcess, topic: string, prefix: string, count: number): Promise<void> {
    return new Promise((resolve) => {
      child.once('message', () => resolve());
      child.send({ cmd: 'publish', topic, prefix, count });
    });
  }

  function exited(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  }

  it('two app processes: each committed event reaches a peer both feed exactly once', async () => {
    const port = await freePort();
    // Opened first: the schema exists before the children open it.
    const hub = mesh({ id: 'hub', store: fixture.store(), listen: { host: '127.0.0.1', port } });
    const got: string[] = [];
    hub.subscribe('ob.two.*', (e) => void got.push(e.data as string));
    await hub.start();
    const [a, b] = await Promise.all([startApp(`tcp://127.0.0.1:${port}`), startApp(`tcp://127.0.0.1:${port}`)]) as [ChildProcess, ChildProcess];
    const n = 100;
    await Promise.all([published(a, 'ob.two.x', 'a', n), published(b, 'ob.two.x', 'b', n)]);
    await until(() => new Set(got).size >= 2 * n, 20_000);
    // Fences: a duplicate relayed late would come before them.
    await Promise.all([published(a, 'ob.two.x', 'fence-a', 1), published(b, 'ob.two.x', 'fence-b', 1)]);
    await until(() => got.includes('fence-a-0') && got.includes('fence-b-0'), 20_000);
    const counts = new Map<string, number>();
    for (const d of got) counts.set(d, (counts.get(d) ?? 0) + 1);
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    expect(counts.size).toBe(2 * n + 2);
    for (const c of [a, b]) c.send({ cmd: 'close' });
    await Promise.all([exited(a), exited(b)]);
  }, 60_000);

  it.each([
    ['the process that committed is killed right after COMMIT', false],
    ['the relay holding the event is killed while routing it', true],
  ])('%s: another instance relays it', async (_, dieOnLive) => {
    const app = mesh({ store: fixture.store({ lease: LEASE, pollInterval: 100 }) });
    await app.start();
    const child = await startApp('-', dieOnLive);
    const topic = dieOnLive ? 'ob.kill.relay' : 'ob.kill.commit';
    // A plain publish when the relay dies: the only way the process ends is its relay routing the event.
    child.send(dieOnLive ? { cmd: 'publish', topic, prefix: topic, count: 1 } : { cmd: 'commit-and-die', topic, prefix: topic });
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    // Only now does this mesh relay: the event can reach it through the store alone.
    const got: unknown[] = [];
    app.subscribe('ob.kill.*', (e) => void got.push(e.data));
    outbox(app);
    await until(() => got.length >= 1, 20_000);
    expect(got).toEqual([dieOnLive ? `${topic}-0` : topic]);
  }, 60_000);
});
