import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('npm run demo', () => {
  it('runs three federated processes to completion and exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root, timeout: 60_000 });
    // Events crossed two hops (orders -> billing -> shipping) and came back.
    expect(stdout).toMatch(/^orders {3}sees invoice for order 1$/m);
    // One "billing" group with members in two processes, each order billed once.
    expect(stdout).toMatch(/^billing {2}billing worker A bills order/m);
    expect(stdout).toMatch(/^shipping billing worker B bills order/m);
    expect(stdout.match(/bills order \d+:/g)).toHaveLength(3);
    // Request/reply across two hops, retries and a dead letter, NO_RESPONDER at once.
    expect(stdout).toContain('order 3: sold-out is out of stock (answer from /shipping)');
    expect(stdout).toContain('order 5 dead-lettered after 3 attempts');
    expect(stdout).toContain('request to nobody: ERR_MESH_NO_RESPONDER');
    // Metrics on: the stock checks answered, the request to nobody (and early probes) counted.
    expect(stdout).toMatch(/^orders {3}metrics: \d+ events published, requests no_responder \d+, ok \d+, 1 peer\(s\) linked$/m);
    expect(stdout).toContain('demo  done: all three processes closed');
  });
});
