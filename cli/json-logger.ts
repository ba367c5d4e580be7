import type { LogFields, MeshLogger } from '../src/index.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Where the lines go; `process.stdout.write` in the CLI. */
export type LineSink = (line: string) => void;

const RESERVED = new Set(['time', 'level', 'msg', 'node']);

/**
 * JSON lines: `{ time, level, msg, node, ...fields }`, one object per line. Console-style
 * (the mesh calls it `(message, detail)`, with the fields, or an error for error lines), so
 * the mesh's own `logLevel` does the filtering and the CLI logs through the same object.
 */
export class JsonLogger implements MeshLogger {
  constructor(private readonly node: string, private readonly sink: LineSink) {}

  debug(message: string, detail?: unknown): void {
    this.line('debug', message, detail);
  }

  info(message: string, detail?: unknown): void {
    this.line('info', message, detail);
  }

  warn(message: string, detail?: unknown): void {
    this.line('warn', message, detail);
  }

  error(message: string, detail?: unknown): void {
    this.line('error', message, detail);
  }

  private line(level: Level, message: string, detail: unknown): void {
    const msg = message.startsWith('[evmesh] ') ? message.slice(9) : message;
    const fields = detail instanceof Error ? { err: errorFields(detail) } : (detail as LogFields | undefined);
    const out: Record<string, unknown> = { time: new Date().toISOString(), level, msg, node: this.node };
    if (fields !== undefined && typeof fields === 'object' && fields !== null) {
      for (const [k, v] of Object.entries(fields)) if (!RESERVED.has(k) && v !== undefined) out[k] = v;
    }
    this.sink(`${safeStringify(out)}\n`);
  }
}

/** An error as a log field: name, code, message, details; its cause one level down. */
export function errorFields(err: Error): Record<string, unknown> {
  const { code, details } = err as Error & { code?: unknown; details?: unknown };
  const cause = err.cause instanceof Error ? { name: err.cause.name, message: err.cause.message, code: (err.cause as { code?: unknown }).code } : undefined;
  return { name: err.name, code, message: err.message, details, cause };
}

/** A field that cannot be serialised (a cycle, a BigInt) must not lose the line. */
function safeStringify(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ time: value['time'], level: value['level'], msg: value['msg'], node: value['node'], unserialisable: true });
  }
}
