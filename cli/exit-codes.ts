import { MeshError } from '../src/index.js';

/** The process exit codes of `evmesh` (README "Standalone node"). */
export const EXIT = {
  /** Done, or stopped by SIGTERM/SIGINT after draining. */
  ok: 0,
  /** Anything not below: a bug, a failed drain, a second signal. */
  failure: 1,
  /** Bad usage or configuration: the message names the flag, variable or key. */
  usage: 2,
  /** A port cannot be listened on (in use, no permission, not a local address). */
  listen: 3,
  /** The store cannot be reached, or its driver package is not installed. */
  store: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains in one line and exits with. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(readonly exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A usage or configuration error; `where` names the flag, variable or config key. */
export function usageError(where: string, message: string): CliError {
  return new CliError(EXIT.usage, `${where}: ${message}`);
}

const LISTEN_ERRNO = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** The exit code a start-up failure maps to. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof MeshError) {
    switch (err.code) {
      case 'ERR_MESH_INVALID_OPTIONS':
      case 'ERR_MESH_INVALID_PATTERN':
        return EXIT.usage;
      case 'ERR_MESH_LISTEN_FAILED':
        return EXIT.listen;
      case 'ERR_MESH_STORE_UNAVAILABLE':
      case 'ERR_MESH_ADAPTER_MISSING_DEP':
        return EXIT.store;
      default:
        return EXIT.failure;
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && LISTEN_ERRNO.has(code) ? EXIT.listen : EXIT.failure;
}
