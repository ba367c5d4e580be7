// The packed evmesh tarball, shared by every test file in test/package/: vitest runs each
// file in its own process, so a per-process cache would still pack once per file. The
// first process to claim a build's directory packs into it; the others wait for the
// tarball to appear (it is renamed into place, so it is never seen half-written).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from '../support/expect-code.js';

const run = promisify(execFile);
export const root = join(import.meta.dirname, '..', '..');
const TMP = join(root, '.tmp');
const WAIT_MS = 120_000;

/** Builds when dist is missing (`npm test` builds before vitest runs). */
export async function ensureBuilt(entries: readonly string[]): Promise<void> {
  if (!entries.every((entry) => existsSync(join(root, entry)))) {
    await run(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
  }
}

/** Path of this build's tarball; packs it unless another test process already did. */
export async function packedTarball(): Promise<string> {
  // build.mjs recreates dist, so its mtime names the build; the other packed files count too.
  const stamp = ['dist', 'package.json', 'README.md', 'LICENSE'].map((f) => Math.round(statSync(join(root, f)).mtimeMs).toString(36)).join('-');
  const dir = join(TMP, `pack-${stamp}`);
  const tarball = join(dir, 'evmesh.tgz');
  mkdirSync(TMP, { recursive: true });
  try {
    mkdirSync(dir);
  } catch {
    return waitFor(tarball);
  }
  for (const old of readdirSync(TMP)) if (old.startsWith('pack-') && old !== `pack-${stamp}`) rmSync(join(TMP, old), { recursive: true, force: true });
  const work = mkdtempSync(join(dir, 'work-'));
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: root });
  const packed = readdirSync(work).filter((file) => file.endsWith('.tgz'));
  if (packed.length !== 1) throw new Error(`npm pack wrote ${packed.length} tarballs`);
  renameSync(join(work, packed[0]!), tarball);
  rmSync(work, { recursive: true, force: true });
  return tarball;
}

async function waitFor(file: string): Promise<string> {
  await until(() => existsSync(file), WAIT_MS, 100).catch(() => {
    throw new Error(`no tarball at ${file} after ${WAIT_MS / 1000} s (did the packing test process die?)`);
  });
  return file;
}

/**
 * A consumer directory with the tarball installed as node_modules/evmesh. Under `parent`
 * (default: the repo's .tmp, so evmesh's own dependencies resolve from the repo's
 * node_modules, while the consumer's package.json keeps `evmesh` from resolving to the repo).
 */
export async function installPacked(tarball: string, prefix: string, parent = TMP): Promise<string> {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, prefix));
  const installDir = join(dir, 'node_modules', 'evmesh');
  mkdirSync(installDir, { recursive: true });
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', installDir]);
  writeFileSync(join(dir, 'package.json'), `{ "name": "evmesh-${prefix.replace(/[^a-z]/g, '')}", "private": true }\n`);
  return dir;
}
