import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ensureBuilt, root } from '../package/packed.js';
import { until } from '../support/expect-code.js';

/** The built bin, as package.json "bin" names it (run `npm run build` after changing cli/). */
export const BIN = join(root, 'dist', 'esm', 'cli', 'main.js');

export function buildOnce(): Promise<void> {
  return ensureBuilt(['dist/esm/cli/main.js', 'dist/esm/express/index.js']);
}

/** A JSON log line of the node. */
export interface LogLine {
  readonly time: string;
  readonly level: string;
  readonly msg: string;
  readonly node: string;
  readonly [field: string]: unknown;
}

/** What a finished run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment without the test runner's EVMESH_* variables, plus `env`. */
function cleanEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EVMESH_')));
  return { ...base, ...env };
}

/** Runs `evmesh …` to its end (help, print-config, a failing start). */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd = root): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running `evmesh node`, started on free ports (port 0) unless told otherwise. */
export class CliNode {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private ready: LogLine | undefined;

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => {
      partial += d.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) this.lines.push(JSON.parse(text) as LogLine);
    });
    child.stderr?.on('data', (d: Buffer) => void (this.stderr += d.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliNode> {
    const child = spawn(process.execPath, [BIN, 'node', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0', ...args], {
      env: cleanEnv(env), cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new CliNode(child);
    running.push(node);
    let exited = false;
    void node.exited.then(() => void (exited = true));
    await until(() => exited || node.lines.some((l) => l.msg === 'ready'), 15_000, 5);
    node.ready = node.lines.find((l) => l.msg === 'ready');
    if (node.ready === undefined) throw new Error(`evmesh node exited before ready: ${node.stderr}`);
    return node;
  }

  /** Port of `--listen` (peers, stock clients). */
  get tcpPort(): number {
    return Number(String(this.ready?.['listen']).split(':').pop());
  }

  /** Base URL of `--http`. */
  get http(): string {
    return `http://${String(this.ready?.['http'])}`;
  }

  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

const running: CliNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => (n.child.exitCode === null && n.child.signalCode === null ? (n.child.kill('SIGKILL'), n.exited) : undefined)));
});
