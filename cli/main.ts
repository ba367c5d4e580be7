#!/usr/bin/env node
// The `evmesh` bin (package.json "bin"). The only file that touches the process itself.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cli } from './cli.js';
import type { CliIo } from './run-node.js';

const io: CliIo = {
  env: process.env,
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  onSignal(stop, now) {
    let stopping = false;
    const on = (signal: NodeJS.Signals): void => {
      if (!stopping) {
        stopping = true;
        stop(signal);
        return;
      }
      now(signal);
      process.exit(1);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  },
};

/**
 * The package's version, from the package.json above this file (found from the script
 * path, which works in both builds and through an npm bin link).
 */
function version(): string {
  let dir = dirname(realpathSync(process.argv[1] ?? '.'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'evmesh' && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

// Not process.exit() at once: what the node wrote last to peers and clients may still sit
// in socket buffers, flushed by the sockets ending gracefully, which keep the process up
// until done. Whatever else would keep a stopped node up is cut after a grace period.
const GRACE_MS = 5000;
void cli(process.argv.slice(2), io, version).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), GRACE_MS).unref();
});
