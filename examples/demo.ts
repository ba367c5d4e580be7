// evmesh demo: three services (shipping, billing, orders), each in its own process,
// federating over the Apache EventMesh TCP protocol on loopback, in a line
// orders -> billing -> shipping. Shows events crossing two hops, one "billing" group
// whose members live in two processes, request/reply, retries and a dead letter.
// Ends by itself.
//
//   npm run demo
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const NODE = join(import.meta.dirname, 'shop', 'node.ts');

function start(role: string, peers: string[]): Promise<{ child: ChildProcess; port: number | undefined }> {
  const child = fork(NODE, [role, JSON.stringify(peers)], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited early (${String(code)})`)));
    child.once('message', (m: { ready?: number }) => resolve({ child, port: m.ready }));
  });
}

const shipping = await start('shipping', []);
const billing = await start('billing', [`tcp://127.0.0.1:${String(shipping.port)}`]);
const orders = fork(NODE, ['orders', JSON.stringify([`tcp://127.0.0.1:${String(billing.port)}`])], { execArgv: ['--import', 'tsx'] });
const code = await new Promise<number | null>((resolve) => orders.once('exit', resolve));
for (const { child } of [billing, shipping]) {
  child.send('close');
  await new Promise((resolve) => child.once('exit', resolve));
}
console.log(`demo  ${code === 0 ? 'done: all three processes closed' : `orders failed (${String(code)})`}`);
process.exitCode = code ?? 1;
