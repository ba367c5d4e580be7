import { readFileSync } from 'node:fs';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { NODE_OPTIONS, type OptionSpec } from './option-table.js';
import { checkValue } from './values.js';

/**
 * The options a JSON config file sets, by config key. The file's shape is the option
 * table's keys (`tls.key` is `{ "tls": { "key": … } }`); an unknown key, at any depth
 * the table describes, is refused with its path, so a typo never passes silently.
 */
export function readConfigFile(path: string): ReadonlyMap<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.usage, `--config: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw usageError(path, `not valid JSON: ${(err as Error).message}`);
  }
  const values = new Map<string, unknown>();
  walk(json, '', path, values);
  return values;
}

function walk(node: unknown, prefix: string, file: string, values: Map<string, unknown>): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw usageError(prefix === '' ? file : `${file}: ${prefix.slice(0, -1)}`, 'expected an object');
  }
  for (const [name, value] of Object.entries(node)) {
    const key = `${prefix}${name}`;
    const spec = NODE_OPTIONS.find((o) => o.key === key);
    if (spec !== undefined) {
      values.set(key, checkValue(spec, value, `${file}: ${key}`));
    } else if (NODE_OPTIONS.some((o) => o.key.startsWith(`${key}.`))) {
      walk(value, `${key}.`, file, values);
    } else {
      throw usageError(`${file}: ${key}`, `unknown key (known${prefix === '' ? '' : ` in ${prefix.slice(0, -1)}`}: ${known(prefix).join(', ')})`);
    }
  }
}

/** The keys allowed directly under `prefix`. */
function known(prefix: string): string[] {
  const names = NODE_OPTIONS.filter((o: OptionSpec) => o.key.startsWith(prefix)).map((o) => o.key.slice(prefix.length).split('.')[0] as string);
  return [...new Set(names)];
}
