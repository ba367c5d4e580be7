// What the registry shows besides the code: the license file the package promises, and the
// repository that npm resolves the README's relative links against (the files they name,
// e.g. src/wire/PROTOCOL.md, are not in the package).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, packedTarball, root } from './packed.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  license: string; files: string[]; repository?: { type: string; url: string };
};

let entries: string[] = [];
let license = '';

beforeAll(async () => {
  await ensureBuilt(['dist/esm/src/index.js', 'dist/cjs/src/index.js']);
  const tarball = await packedTarball();
  entries = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
  license = (await run('tar', ['-xzOf', tarball, 'package/LICENSE'], { maxBuffer: 1 << 20 })).stdout;
}, 180_000);

describe('the published package metadata', () => {
  it('ships LICENSE with the Apache License 2.0 that package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(entries).toContain('package/LICENSE');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  });

  it('names a repository, against which the README links to files outside the package resolve', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/) });
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] as string).filter((link) => !/^[a-z]+:/.test(link));
    expect(relative.length).toBeGreaterThan(0);
    const outside = relative.filter((link) => !entries.some((entry) => entry === `package/${link}` || entry.startsWith(`package/${link}/`)));
    expect(outside.length).toBeGreaterThan(0);
    // Each resolves in the repository (npm rewrites it to the repository's tree).
    for (const link of relative) expect(existsSync(join(root, link)), link).toBe(true);
  });
});
