import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('examples/express-app', () => {
  it('posts an event with the SDK, reads it back from the SSE stream and exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/express-app/main.ts'], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/^POST 202 \{"ids":\["[^"]+"\]\}$/m);
    expect(stdout).toContain('POST 401 application/problem+json ERR_MESH_UNAUTHORIZED');
    expect(stdout).toContain('POST 403 application/problem+json ERR_MESH_FORBIDDEN');
    expect(stdout).toContain('stream got com.shop.order.created');
    expect(stdout).toContain('data={"id":1,"total":42}');
    expect(stdout).toContain('same event: true');
    expect(stdout).toContain('express-app done');
  });
});
