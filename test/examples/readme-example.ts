// Running the README's code blocks as written: each test swaps the published import
// names for the sources, runs the program with tsx and checks what it printed.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = join(import.meta.dirname, '..', '..');

/** The first ```ts block of README.md from `heading` on (from the top without one); '' if none. */
export function readmeExample(heading = ''): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  return /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

/** Writes `program` to `file`, runs it with tsx from the repository root (30 s at most), removes it: its stdout. */
export async function runProgram(file: string, program: string): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, program);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 });
    return stdout;
  } finally {
    rmSync(file, { force: true });
  }
}
