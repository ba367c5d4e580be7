// The exit codes of `evmesh node` (the built bin) when it cannot start, and the bin as
// npm links it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../package/packed.js';
import { BIN, buildOnce, runCli } from './cli-process.js';

const run = promisify(execFile);
beforeAll(buildOnce, 180_000);

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A port something else holds. */
function taken(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    servers.push(server);
  });
}

describe('evmesh node cannot start', () => {
  it('exits 3 when --listen is in use, naming it and ERR_MESH_LISTEN_FAILED', async () => {
    const port = await taken();
    const r = await runCli(['node', '--listen', `127.0.0.1:${port}`, '--http', 'off']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--listen: .*ERR_MESH_LISTEN_FAILED/);
  });

  it('exits 3 when --http is in use, naming it and EADDRINUSE', async () => {
    const port = await taken();
    const r = await runCli(['node', '--listen', '127.0.0.1:0', '--http', `127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--http: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });

  it('exits 4 when the store cannot be reached, naming it and ERR_MESH_STORE_UNAVAILABLE', async () => {
    const r = await runCli(['node', '--listen', '127.0.0.1:0', '--http', 'off', '--store', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/--store: .*ERR_MESH_STORE_UNAVAILABLE/);
  });
});

describe('the evmesh bin', () => {
  it('runs through a link as npm makes it in node_modules/.bin (shebang, executable)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evmesh-bin-'));
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    const link = join(dir, 'node_modules', '.bin', 'evmesh');
    symlinkSync(BIN, link);
    const version = await run(link, ['--version'], { cwd: dir });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(link, ['node', '--help'], { cwd: dir });
    expect(help.stdout).toContain('Usage: evmesh node [options]');
  });

  it('runs as `npx evmesh` in the repository', async () => {
    const { stdout } = await run('npx', ['--no-install', 'evmesh', '--version'], { cwd: root });
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  }, 60_000);
});
