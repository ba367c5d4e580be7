import type { NodeConfig } from './node-config.js';
import { NODE_OPTIONS } from './option-table.js';

const MASK = '***';

/**
 * The configuration as `--print-config` shows it: secrets masked (tokens, `verify`
 * tokens, a password in the store URL); TLS options are file paths, whose contents are
 * never read into it; `subscriptions` is the catalogue file the node will use (the
 * default beside a SQLite database resolved), or `memory`.
 */
export function printableConfig(config: NodeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...config,
    listen: address(config.listen),
    http: address(config.http),
    // Unset is memory too; shown as what it is.
    subscriptions: config.subscriptions ?? 'memory',
  };
  for (const spec of NODE_OPTIONS) {
    const value = out[spec.key];
    if (typeof value !== 'string') continue;
    if (spec.secret === 'value') out[spec.key] = MASK;
    else if (spec.secret === 'url-password') out[spec.key] = withoutPassword(value);
  }
  if (config.verify !== undefined) {
    out['verify'] = { ...config.verify, tokens: Object.fromEntries(Object.keys(config.verify.tokens).map((identity) => [identity, MASK])) };
  }
  return out;
}

function address(a: NodeConfig['listen']): string {
  return a === undefined ? 'off' : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${String(a.port)}`;
}

/** `redis://user:secret@host` → `redis://user:***@host`; anything not a URL with a password is left as it is. */
export function withoutPassword(spec: string): string {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return spec;
  }
  if (url.password === '') return spec;
  url.password = MASK;
  return url.toString().replace(encodeURIComponent(MASK), MASK);
}
