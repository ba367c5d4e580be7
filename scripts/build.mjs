// Builds the package twice from the same sources: ESM (dist/esm) and CommonJS
// (dist/cjs). Nothing is bundled, so `evmesh/nest` and `evmesh` share one copy of
// the kernel modules per format, and decorator metadata keys stay identical.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}
// The root package is "type": "module"; this marker makes Node read dist/cjs as CommonJS.
mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
// The `evmesh` bin: tsc keeps its shebang line; npm sets the mode when it links a bin on
// install, but `./dist/esm/cli/main.js` run straight from a checkout needs it too.
chmodSync(join(root, 'dist', 'esm', 'cli', 'main.js'), 0o755);
