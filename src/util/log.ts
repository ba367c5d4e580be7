/** How much is logged, lowest first; `'silent'` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The level of one line. */
export type LineLevel = Exclude<LogLevel, 'silent'>;

/** What a line is about (`{ peer, address, code, … }`): merged into a structured logger's line, the second argument of a console-style one. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the mesh logs: `console`, any object with `error` and optionally `warn`,
 * `info`, `debug` (a level it lacks is skipped), or a pino/bunyan logger as is.
 *
 * A console-style logger is called `(message, detail)`: `detail` is the line's fields,
 * or for an error the error itself (as `console.error(message, error)` prints it best).
 * A structured logger (pino, bunyan: see `isStructuredLogger`) is called
 * `(fields, message)`, so the fields land in its JSON line (an error as `err`, with `code`).
 */
export interface MeshLogger {
  error(message: string, detail?: unknown): void;
  warn?(message: string, detail?: unknown): void;
  info?(message: string, detail?: unknown): void;
  debug?(message: string, detail?: unknown): void;
  /** pino: `{ values, labels }`; bunyan: a method. With `child`, marks a structured logger. */
  readonly levels?: object;
  child?(...args: never[]): unknown;
  /** pino's: asked before a line is built, so a level the logger drops costs nothing. */
  isLevelEnabled?(level: string): boolean;
}

/** How a structured logger is called. */
type StructuredCall = (fields: object, message: string) => void;

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 50 };

/**
 * pino and bunyan take `(mergingObject, message)`; console, winston and plain objects
 * take `(message, …args)`. Both pino and bunyan have `child`; pino's `levels` is
 * `{ values, labels }`, bunyan's is a method. Winston also has `child` and `levels`,
 * but its `levels` is a flat `{ error: 0, … }` map and it takes `(message, meta)`.
 */
export function isStructuredLogger(logger: MeshLogger): boolean {
  const { child, levels } = logger as { child?: unknown; levels?: unknown };
  if (typeof child !== 'function') return false;
  if (typeof levels === 'function') return true;
  return typeof levels === 'object' && levels !== null && typeof (levels as { values?: unknown }).values === 'object';
}

/**
 * The mesh's log: one per mesh, handed to the parts that log. A line below the level
 * is dropped before anything is built; call sites that would build something costly
 * first ask `enabled`. A logger that throws never breaks what it was told about.
 *
 * Without `level`, a console-style logger gets `warn` and up (a library stays quiet),
 * a structured one every level: its own level decides (pino is asked with
 * `isLevelEnabled` first, and can be turned up at run time).
 */
export class Log {
  private readonly structured: boolean;
  private readonly floor: number;

  constructor(private readonly logger: MeshLogger, level: LogLevel | undefined, private readonly base: LogFields = {}) {
    this.structured = isStructuredLogger(logger);
    this.floor = RANK[level ?? (this.structured ? 'debug' : 'warn')];
  }

  /** Whether a line at `level` is written. */
  enabled(level: LineLevel): boolean {
    if (RANK[level] < this.floor) return false;
    const logger = this.logger as Partial<Record<LineLevel, unknown>> & { isLevelEnabled?: unknown };
    if (typeof logger[level] !== 'function') return false;
    if (!this.structured || typeof logger.isLevelEnabled !== 'function') return true;
    try {
      return (logger.isLevelEnabled as (level: string) => unknown).call(logger, level) === true;
    } catch {
      return false;
    }
  }

  debug(message: string, fields?: LogFields): void {
    if (this.enabled('debug')) this.write('debug', message, fields, undefined);
  }

  info(message: string, fields?: LogFields): void {
    if (this.enabled('info')) this.write('info', message, fields, undefined);
  }

  warn(message: string, fields?: LogFields): void {
    if (this.enabled('warn')) this.write('warn', message, fields, undefined);
  }

  error(message: string, fields?: LogFields): void {
    if (this.enabled('error')) this.write('error', message, fields, undefined);
  }

  /**
   * A line about an error: a console-style logger gets `(message, error)` (what
   * `MeshLogger.error` always got), a structured one `{ err, code, ...fields }`.
   */
  failure(level: LineLevel, message: string, error: unknown, fields?: LogFields): void {
    if (this.enabled(level)) this.write(level, message, fields, { error });
  }

  private write(level: LineLevel, message: string, fields: LogFields | undefined, failure: { error: unknown } | undefined): void {
    try {
      if (this.structured) {
        const err = failure === undefined ? undefined : { err: failure.error, code: codeOf(failure.error) };
        ((this.logger as unknown as Record<LineLevel, StructuredCall>)[level]).call(this.logger, { ...this.base, ...fields, ...err }, message);
        return;
      }
      const detail = failure !== undefined ? failure.error : { ...this.base, ...fields };
      (this.logger as Required<MeshLogger>)[level](`[evmesh] ${message}`, detail);
    } catch {
      // A logger that throws (a full disk, a closed stream) must not break a delivery or a link.
    }
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
