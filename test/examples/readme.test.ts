import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeExample, root, runProgram } from './readme-example.js';

describe('README example', () => {
  it('runs as written (against the sources) and closes cleanly', async () => {
    const example = readmeExample();
    expect(example).toContain("from 'evmesh'");
    const file = join(root, '.tmp', `readme-example-${process.pid}.mts`);
    // The same program, importing the kernel from source instead of the published name.
    const stdout = await runProgram(file, `${example.replace("from 'evmesh'", "from '../src/index.js'")}\nconsole.log('README-EXAMPLE-DONE', JSON.stringify(reply.data));\n`);
    expect(stdout).toContain('com.shop.order.* com.shop.order.created { id: 1 }');
    expect(stdout).toContain('README-EXAMPLE-DONE {"reserved":true}');
  });
});
