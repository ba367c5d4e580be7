import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** The NestJS major this run is meant to test: 12 in the nest12 vitest project, else the root's 11. */
const expected = process.env['EVMESH_TEST_NEST'] ?? '11';

const probe = `
import { readFileSync } from 'node:fs';
for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/microservices']) {
  const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.resolve(name)), 'utf8'));
  console.log(pkg.version);
}`;

describe(`the NestJS under test (${expected})`, () => {
  it('is the one this process loads', async () => {
    const versions = await Promise.all(['@nestjs/common', '@nestjs/core', '@nestjs/microservices'].map(async (name) => {
      const pkg = (await import(`${name}/package.json`)) as { default: { version: string } };
      return pkg.default.version;
    }));
    expect(versions.map((v) => v.split('.')[0])).toEqual([expected, expected, expected]);
  });

  it('is the one the child processes of the tests load', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { timeout: 30_000 });
    expect(stdout.trim().split('\n').map((v) => v.split('.')[0])).toEqual([expected, expected, expected]);
  });
});
