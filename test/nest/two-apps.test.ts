// Two Nest apps in two processes, federated over TCP (listen / peers): HTTP into one,
// events and requests across to the other and back, then SIGTERM drains a handler.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/expect-code.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

interface App { child: ChildProcess; stdout: string[]; ready: { port?: number; url?: string } }

function start(file: string, args: string[]): Promise<App> {
  const child = fork(join(FIXTURES, file), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const stdout: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    stdout.push(...lines);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited early (${String(code)})`)));
    child.once('message', (ready: App['ready']) => resolve({ child, stdout, ready }));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

let billing: App;
let orders: App;
let base = '';

beforeAll(async () => {
  billing = await start('billing-app.ts', []);
  orders = await start('orders-app.ts', [String(billing.ready.port)]);
  base = orders.ready.url ?? '';
}, 60_000);

afterAll(async () => {
  for (const app of [orders, billing]) {
    if (app === undefined) continue;
    app.child.kill('SIGTERM');
    await exited(app.child);
  }
});

async function getJson(path: string): Promise<unknown> {
  return (await fetch(`${base}${path}`)).json();
}

describe('two Nest apps in two processes over the mesh', () => {
  it('answers an HTTP request in one app with a @MessagePattern handler of the other', async () => {
    // Interest crosses the link after the HELLO: until then the request has no responder.
    let reply: unknown;
    await until(async () => ((reply = await getJson('/price/teapot')) as { code?: string }).code === undefined, 20_000, 100);
    expect(reply).toEqual({ sku: 'teapot', price: 42, from: String(billing.child.pid) });
  }, 60_000);

  it('carries an event published by an HTTP controller to the other app\'s @EventPattern handler, whose @Publish comes back', async () => {
    const created = await fetch(`${base}/orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'kettle' }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: number };
    let invoices: unknown = [];
    await until(() => billing.stdout.includes(`billing got com.shop.order.created ${String(id)}`), 20_000);
    await until(async () => (invoices = await getJson('/invoices')) instanceof Array && invoices.length > 0, 20_000, 50);
    expect(invoices).toEqual([{ order: id, by: 'billing' }]);
  }, 60_000);

  it('drains a handler in flight when the app gets SIGTERM (enableShutdownHooks), then exits', async () => {
    const accepted = await fetch(`${base}/slow`, { method: 'POST' });
    expect(accepted.status).toBe(202);
    await until(() => billing.stdout.includes('billing slow started'), 20_000);
    billing.child.kill('SIGTERM');
    await exited(billing.child);
    const tail = billing.stdout.filter((line) => /^billing (slow|shutdown)/.test(line));
    expect(tail).toEqual(['billing slow started', 'billing slow drained', 'billing shutdown SIGTERM']);
    // Nest re-raises the signal once its hooks are done.
    expect(billing.child.signalCode).toBe('SIGTERM');
  }, 60_000);
});
