import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { CliError, EXIT, usageError } from './exit-codes.js';
import type { NodeConfig, TlsFiles } from './node-config.js';

/** `listen.tls` from the `--tls-*` files; undefined without any. */
export function listenTls(config: NodeConfig): TlsOptions | undefined {
  const tls = config.tls;
  if (tls === undefined) return undefined;
  if (tls.key === undefined || tls.cert === undefined) throw usageError('--tls-key/--tls-cert', 'TLS on --listen needs both a key and a certificate');
  if (tls.requestCert === true && tls.ca === undefined) throw usageError('--tls-request-cert', 'needs --tls-ca, the CA client certificates must be signed by');
  return { ...read(tls, 'tls'), requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false };
}

/** `peerTls` (to dial `tls://` peers) from the `--peer-tls-*` files; undefined without any. */
export function peerTls(config: NodeConfig): ConnectionOptions | undefined {
  return config.peerTls === undefined ? undefined : read(config.peerTls, 'peer-tls');
}

function read(files: TlsFiles, flagPrefix: string): { key?: Buffer; cert?: Buffer; ca?: Buffer } {
  const out: { key?: Buffer; cert?: Buffer; ca?: Buffer } = {};
  for (const part of ['key', 'cert', 'ca'] as const) {
    const path = files[part];
    if (path === undefined) continue;
    try {
      out[part] = readFileSync(path);
    } catch (err) {
      throw new CliError(EXIT.usage, `--${flagPrefix}-${part}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}
