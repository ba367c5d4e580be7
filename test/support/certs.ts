import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM key and certificate. */
export interface KeyPair {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** A throwaway PKI for mutual-TLS tests: a CA, a server certificate for 127.0.0.1, client certificates by CN. */
export interface TestPki {
  readonly ca: Buffer;
  readonly server: KeyPair;
  client(cn: string): KeyPair;
  /** A client certificate signed by another CA, which the server does not trust. */
  readonly rogue: KeyPair;
  remove(): void;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Makes the PKI with the system's openssl in a temporary folder (short-lived keys, one day). */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'evmesh-pki-'));
  const path = (name: string): string => join(dir, name);
  const ca = (name: string): void => openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`)]);
  const signed = (cn: string, by: string, ext?: string): KeyPair => {
    const base = path(`${cn}-${by}`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${base}.key`, '-out', `${base}.csr`]);
    const extra: string[] = [];
    if (ext !== undefined) {
      writeFileSync(`${base}.ext`, ext);
      extra.push('-extfile', `${base}.ext`);
    }
    openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', path(`${by}.pem`), '-CAkey', path(`${by}.key`), '-CAcreateserial',
      '-days', '1', '-out', `${base}.pem`, ...extra]);
    return { key: readFileSync(`${base}.key`), cert: readFileSync(`${base}.pem`) };
  };
  ca('test-ca');
  ca('rogue-ca');
  return {
    ca: readFileSync(path('test-ca.pem')),
    server: signed('127.0.0.1', 'test-ca', 'subjectAltName=IP:127.0.0.1\n'),
    client: (cn) => signed(cn, 'test-ca'),
    rogue: signed('billing', 'rogue-ca'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
