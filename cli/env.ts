import { NODE_OPTIONS } from './option-table.js';
import { parseText } from './values.js';

/** Node options given as `EVMESH_*` variables, by config key; an empty variable counts as unset. */
export function readEnv(env: NodeJS.ProcessEnv): ReadonlyMap<string, unknown> {
  const values = new Map<string, unknown>();
  for (const spec of NODE_OPTIONS) {
    const text = env[spec.env];
    if (text === undefined || text === '') continue;
    values.set(spec.key, parseText(spec, text, spec.env));
  }
  return values;
}
