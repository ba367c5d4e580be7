import { usageError } from './exit-codes.js';
import { optionByFlag, type OptionSpec } from './option-table.js';
import { parseText } from './values.js';

/** What the arguments of `evmesh node` say. */
export interface ParsedArgs {
  /** Node options given as flags, by config key (`tls.key`, `peers`, …). */
  readonly values: ReadonlyMap<string, unknown>;
  readonly config: string | undefined;
  readonly printConfig: boolean;
  readonly help: boolean;
}

/**
 * `--name value`, `--name=value`; a boolean as a bare `--name` (or `--name=false`);
 * `--peer` repeated adds up. Anything else is a usage error naming it.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, unknown>();
  const steer = { config: undefined as string | undefined, printConfig: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h') {
      steer.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') throw usageError(JSON.stringify(arg), 'unexpected argument (options start with --; see --help)');
    const eq = arg.indexOf('=');
    const flag = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = optionByFlag(flag);
    if (spec === undefined) throw usageError(`--${flag}`, 'unknown option (see evmesh node --help)');
    let text: string;
    if (eq >= 0) text = arg.slice(eq + 1);
    else if (spec.kind === 'boolean') text = 'true';
    else if (i + 1 < argv.length) text = argv[++i] as string;
    else throw usageError(`--${flag}`, `needs a value (${spec.value ?? 'text'})`);
    apply(spec, parseText(spec, text, `--${flag}`), values, steer);
  }
  return { values, ...steer };
}

function apply(spec: OptionSpec, value: unknown, values: Map<string, unknown>, steer: { config: string | undefined; printConfig: boolean; help: boolean }): void {
  switch (spec.key) {
    case 'config':
      steer.config = value as string;
      return;
    case 'printConfig':
      steer.printConfig = value as boolean;
      return;
    case 'help':
      steer.help = value as boolean;
      return;
  }
  const before = values.get(spec.key);
  values.set(spec.key, spec.kind === 'list' && Array.isArray(before) ? [...(before as string[]), ...(value as string[])] : value);
}
