import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeExample, root, runProgram } from './readme-example.js';
import { freePort } from '../support/free-port.js';

describe('README Observability example', () => {
  it('runs as written: metrics scraped through meshAdmin, health answered', async () => {
    const example = readmeExample('## Observability');
    expect(example).toContain('metrics: { registry }');
    const port = String(await freePort());
    const program = example
      .replace("from 'evmesh/express'", `from '${join(root, 'express', 'index.js')}'`)
      .replace("from 'evmesh'", `from '${join(root, 'src', 'index.js')}'`)
      .replaceAll('9464', port);
    const out = await runProgram(join(root, '.tmp', `readme-observability-${process.pid}.mts`), program);
    expect(out).toContain('evmesh_deliveries_total{subscription="billing",outcome="ok"} 1');
    expect(out).toMatch(/ok: true/);
  });
});
