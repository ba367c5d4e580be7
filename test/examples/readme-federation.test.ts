import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeExample, root, runProgram } from './readme-example.js';
import { freePort } from '../support/free-port.js';

describe('README federation example', () => {
  it('runs as written: two nodes over TCP, an event and a request across the link', async () => {
    const example = readmeExample('## Federation');
    expect(example).toContain("listen: { port: 10001 }");
    const file = join(root, '.tmp', `readme-federation-${process.pid}.mts`);
    // The same program on a free port, importing the kernel from source.
    const port = String(await freePort());
    const stdout = await runProgram(file, example.replace("from 'evmesh'", "from '../src/index.js'").replaceAll('10001', port));
    expect(stdout).toContain('linked to billing');
    expect(stdout).toContain('total { total: 42, order: 1 }');
    // The event was emitted before the request on the same link, so it was delivered first.
    expect(stdout.indexOf('billed { id: 1 }')).toBeGreaterThan(-1);
    expect(stdout.indexOf('billed { id: 1 }')).toBeLessThan(stdout.indexOf('total'));
  });
});
