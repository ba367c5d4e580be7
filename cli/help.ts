import { EXIT } from './exit-codes.js';
import { COMMAND_FLAGS, NODE_OPTIONS, type OptionSpec } from './option-table.js';

/** `evmesh --help`. */
export function mainHelp(): string {
  return [
    'Usage: evmesh <command> [options]',
    '',
    'Commands:',
    '  node        run a standalone evmesh node (evmesh node --help)',
    '',
    'Options:',
    '  -h, --help  show this help',
    '  --version   print the version',
    '',
  ].join('\n');
}

/** `evmesh node --help`, generated from the option table the parser reads. */
export function nodeHelp(): string {
  const rows = [...NODE_OPTIONS, ...COMMAND_FLAGS].map(row);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  const exits = Object.entries(EXIT).map(([name, code]) => `  ${String(code)}  ${EXIT_TEXT[name as keyof typeof EXIT]}`);
  return [
    'Usage: evmesh node [options]',
    '',
    'Runs an evmesh node: peers and stock EventMesh TCP clients on --listen, CloudEvents',
    'over HTTP on --http. Each option is also an environment variable and a config file',
    'key; flags win over the environment, the environment over the file.',
    '',
    'Options (flag, environment variable, config key):',
    ...lines,
    '',
    'Exit codes:',
    ...exits,
    '',
  ].join('\n');
}

const EXIT_TEXT: Readonly<Record<keyof typeof EXIT, string>> = {
  ok: 'stopped by SIGTERM/SIGINT after draining (or --help, --print-config)',
  failure: 'anything else (a second signal exits at once with it)',
  usage: 'bad flag, variable, config key or value (named in the message), or a --subscriptions catalogue that cannot be restored',
  listen: 'cannot listen on --listen or --http (port in use, no permission)',
  store: 'store unreachable, or its driver package not installed',
};

function row(spec: OptionSpec): [string, string] {
  const flag = `--${spec.flag}${spec.value === undefined ? '' : ` <${spec.value}>`}`;
  const where = [spec.env, spec.key === 'config' || spec.key === 'printConfig' || spec.key === 'help' ? '' : `"${spec.key}"`].filter((s) => s !== '').join(', ');
  const dflt = spec.default === undefined ? '' : ` (default: ${spec.default})`;
  return [flag, `${spec.help}${dflt}${where === '' ? '' : ` [${where}]`}`];
}
