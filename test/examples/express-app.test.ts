import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readmeExample, root, runProgram } from './readme-example.js';

const run = promisify(execFile);

describe('examples/express-app', () => {
  it('posts an event with the SDK, reads it back from the SSE stream and exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/express-app/main.ts'], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/^POST 202 \{"ids":\["[^"]+"\]\}$/m);
    expect(stdout).toContain('POST 401 application/problem+json ERR_MESH_UNAUTHORIZED');
    expect(stdout).toContain('POST 403 application/problem+json ERR_MESH_FORBIDDEN');
    expect(stdout).toContain('stream got com.shop.order.created');
    expect(stdout).toContain('data={"id":1,"total":42}');
    expect(stdout).toContain('same event: true');
    // Metrics on: the one event accepted over HTTP was published once; refused ones were not.
    expect(stdout).toMatch(/^evmesh_events_published_total 1$/m);
    expect(stdout).toContain('GET /admin/health 200');
    expect(stdout).toContain('express-app done');
  });
});

describe('README Express example', () => {
  it('runs as written (against the sources, on a free port) and ends by itself', async () => {
    const example = readmeExample('\n## Express\n');
    expect(example).toContain("from 'evmesh/express'");
    const program = example
      .replace("from 'evmesh/express'", "from '../express/index.js'")
      .replace("from 'evmesh'", "from '../src/index.js'")
      .replace('app.listen(3000)', 'app.listen(0)');
    const file = join(root, '.tmp', `readme-express-${process.pid}.mts`);
    const stdout = await runProgram(file, `${program}\nawait mesh.close();\nconsole.log('README-EXPRESS-DONE', typeof events.openStreams);\n`);
    expect(stdout).toContain('README-EXPRESS-DONE number');
  });
});
