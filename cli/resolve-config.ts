import { readConfigFile } from './config-file.js';
import { readEnv } from './env.js';
import { NODE_OPTIONS } from './option-table.js';
import { buildConfig, type Given, type NodeConfig } from './node-config.js';

/**
 * Flags over environment over config file over defaults, key by key: a flag replaces
 * what the file says for that key only (`--tls-key` keeps the file's `tls.cert`).
 * `configPath` is the `--config` flag, else `EVMESH_CONFIG`.
 */
export function resolveConfig(flags: ReadonlyMap<string, unknown>, configPath: string | undefined, env: NodeJS.ProcessEnv): NodeConfig {
  const given = new Map<string, Given>();
  const file = configPath ?? (env['EVMESH_CONFIG'] === '' ? undefined : env['EVMESH_CONFIG']);
  const layers: [ReadonlyMap<string, unknown>, (key: string) => string][] = [
    [file === undefined ? new Map() : readConfigFile(file), (key) => `${file ?? ''}: ${key}`],
    [readEnv(env), (key) => specOf(key).env],
    [flags, (key) => `--${specOf(key).flag}`],
  ];
  for (const [values, where] of layers) {
    for (const [key, value] of values) given.set(key, { value, where: where(key) });
  }
  return buildConfig(given);
}

function specOf(key: string): { env: string; flag: string } {
  return NODE_OPTIONS.find((o) => o.key === key) ?? { env: key, flag: key };
}
