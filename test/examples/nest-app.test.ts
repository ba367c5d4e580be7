import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('examples/nest-app', () => {
  it('boots a Nest app, exchanges events and a request over the mesh, closes and exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/nest-app/main.ts'], { cwd: root, timeout: 60_000 });
    // @Publish on a provider -> MeshServer @EventPattern with a wildcard -> MeshClient.emit -> @OnEvent.
    for (const id of [1, 2, 3]) {
      expect(stdout).toContain(`billing  com.shop.order.created (matched com.shop.order.*): order ${String(id)}`);
    }
    expect(stdout).toContain('orders   invoice for order 1: 60');
    expect(stdout).toContain('orders   invoice for order 2: 10');
    expect(stdout).toContain('orders   stock of kettle: {"sku":"kettle","left":7}');
    expect(stdout).toMatch(/^orders {3}metrics: [1-9]\d* deliveries ok$/m);
    expect(stdout).toMatch(/nest-app done: 3 orders invoiced\n$/);
  });
});
