import { randomBytes } from 'node:crypto';
import type { AccessControlList, MeshOptions } from '../src/index.js';
import { usageError } from './exit-codes.js';
import { NODE_OPTIONS, type CliLogLevel } from './option-table.js';
import { storeKind } from './store-spec.js';
import { subscriptionsConfig, type SubscriptionsConfig } from './subscriptions-config.js';
import { parseAddress, type Address } from './values.js';

/** Who may join (`verify`): the node's `verifyHello`, and the HTTP bearer tokens that name an identity. */
export interface VerifyConfig {
  /** identity → token: a HELLO whose UserAgent token is this is admitted as that identity; so is an HTTP bearer. */
  readonly tokens: Readonly<Record<string, string>>;
  /** With mutual TLS: a verified client certificate is admitted as its subject CN. */
  readonly certificate: boolean;
}

/** TLS files (paths: their contents are read at start, never put in the configuration). */
export interface TlsFiles {
  readonly key?: string;
  readonly cert?: string;
  readonly ca?: string;
  readonly requestCert?: boolean;
}

/** The resolved configuration of `evmesh node`. */
export interface NodeConfig extends SubscriptionsConfig {
  readonly id: string;
  readonly source: string | undefined;
  readonly listen: Address | undefined;
  readonly http: Address | undefined;
  readonly peers: readonly string[];
  readonly store: string;
  readonly tls: TlsFiles | undefined;
  readonly peerTls: Omit<TlsFiles, 'requestCert'> | undefined;
  readonly token: string | undefined;
  readonly httpToken: string | undefined;
  readonly verify: VerifyConfig | undefined;
  readonly acl: AccessControlList | undefined;
  readonly limits: MeshOptions['limits'];
  readonly metrics: boolean;
  readonly metricsPublic: boolean;
  readonly logLevel: CliLogLevel;
}

/** A value and where it came from (`--listen`, `EVMESH_LISTEN`, `evmesh.json: listen`), for error messages. */
export interface Given {
  readonly value: unknown;
  readonly where: string;
}

const LIMIT_KEYS = ['helloTimeout', 'maxConnections', 'maxPeers', 'maxStockSessions', 'maxOutboundBytes', 'publishRate'];

/** Builds the configuration from the winning value of each key (defaults fill the rest). */
export function buildConfig(given: ReadonlyMap<string, Given>): NodeConfig {
  const get = (key: string): unknown => given.get(key)?.value;
  const where = (key: string): string => given.get(key)?.where ?? `--${NODE_OPTIONS.find((o) => o.key === key)?.flag ?? key}`;
  const address = (key: string, fallback: string): Address | undefined => parseAddress((get(key) as string | undefined) ?? fallback, where(key));
  const limits = get('limits') as Record<string, unknown> | undefined;
  if (limits !== undefined) refuseUnknown(limits, LIMIT_KEYS, where('limits'));
  const store = (get('store') as string | undefined) ?? 'memory';
  storeKind(store, where('store'));
  return {
    id: (get('id') as string | undefined) ?? `node-${randomBytes(6).toString('hex')}`,
    source: get('source') as string | undefined,
    listen: address('listen', '127.0.0.1:10000'),
    http: address('http', '127.0.0.1:8080'),
    peers: (get('peers') as string[] | undefined) ?? [],
    store,
    tls: group(get, ['key', 'cert', 'ca', 'requestCert'], 'tls'),
    peerTls: group(get, ['key', 'cert', 'ca'], 'peerTls'),
    token: get('token') as string | undefined,
    httpToken: get('httpToken') as string | undefined,
    verify: verifyOf(get('verify'), where('verify')),
    acl: get('acl') as AccessControlList | undefined,
    limits: limits as MeshOptions['limits'],
    ...subscriptionsConfig(get, where, store),
    metrics: (get('metrics') as boolean | undefined) ?? false,
    metricsPublic: (get('metricsPublic') as boolean | undefined) ?? false,
    logLevel: (get('logLevel') as CliLogLevel | undefined) ?? 'info',
  };
}

function group(get: (key: string) => unknown, names: readonly string[], prefix: string): Record<string, unknown> | undefined {
  const entries = names.map((n) => [n, get(`${prefix}.${n}`)] as const).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function verifyOf(value: unknown, where: string): VerifyConfig | undefined {
  if (value === undefined) return undefined;
  const v = value as Record<string, unknown>;
  refuseUnknown(v, ['tokens', 'certificate'], where);
  const tokens = v['tokens'] ?? {};
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens) || Object.values(tokens).some((t) => typeof t !== 'string' || t.length === 0)) {
    throw usageError(`${where}.tokens`, 'expected an object of identity → token (non-empty strings)');
  }
  const certificate = v['certificate'] ?? false;
  if (typeof certificate !== 'boolean') throw usageError(`${where}.certificate`, 'expected true or false');
  return { tokens: tokens as Record<string, string>, certificate };
}

function refuseUnknown(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw usageError(`${where}.${unknown}`, `unknown key (known: ${allowed.join(', ')})`);
}
