/**
 * The one table of `evmesh node` options. The argument parser, the environment reader,
 * the config file validator, `--help` and `--print-config` all read it, so what the help
 * says is what the parser accepts.
 */

/** How a value is written on the command line and in the environment. */
export type OptionKind =
  | 'string' // any non-empty text
  | 'address' // host:port
  | 'list' // repeatable flag; comma-separated in the environment; an array in the file
  | 'boolean' // a bare flag, or =true/false; 1/0, true/false, yes/no in the environment
  | 'json' // a JSON object (acl, verify, limits); an object in the file
  | 'count' // a whole number ≥ 1; a number in the file
  | 'level'; // one of LOG_LEVELS

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type CliLogLevel = (typeof LOG_LEVELS)[number];

export interface OptionSpec {
  /** Where it sits in the config file (dotted for nested objects) and in `--print-config`. */
  readonly key: string;
  /** The flag, without its dashes. */
  readonly flag: string;
  /** The environment variable. */
  readonly env: string;
  readonly kind: OptionKind;
  /** Shown in the help after the flag, e.g. `host:port`. */
  readonly value?: string;
  readonly help: string;
  /** What it is when set nowhere (shown in the help). */
  readonly default?: string;
  /** How --print-config masks it: the whole value, or the password of a URL in it. */
  readonly secret?: 'value' | 'url-password';
}

export const NODE_OPTIONS: readonly OptionSpec[] = [
  { key: 'id', flag: 'id', env: 'EVMESH_ID', kind: 'string', value: 'id', help: 'node id, unique in the mesh', default: 'node-<random>' },
  { key: 'source', flag: 'source', env: 'EVMESH_SOURCE', kind: 'string', value: 'uri', help: 'CloudEvent source of events this node makes', default: '/evmesh/<id>' },
  { key: 'listen', flag: 'listen', env: 'EVMESH_LISTEN', kind: 'address', value: 'host:port', help: 'TCP port for peers and stock EventMesh clients ("off": none)', default: '127.0.0.1:10000' },
  { key: 'http', flag: 'http', env: 'EVMESH_HTTP', kind: 'address', value: 'host:port', help: 'HTTP port: /events, /health, /metrics, /admin, /subscriptions ("off": none)', default: '127.0.0.1:8080' },
  { key: 'peers', flag: 'peer', env: 'EVMESH_PEERS', kind: 'list', value: 'url', help: 'peer to dial, tcp://host:port or tls://host:port (repeatable; env: comma-separated)' },
  { key: 'store', flag: 'store', env: 'EVMESH_STORE', kind: 'string', value: 'spec', help: 'memory | sqlite:./file.db | redis://… | nats://… | amqp://…', default: 'memory', secret: 'url-password' },
  { key: 'tls.key', flag: 'tls-key', env: 'EVMESH_TLS_KEY', kind: 'string', value: 'file', help: 'PEM private key: serve --listen over TLS' },
  { key: 'tls.cert', flag: 'tls-cert', env: 'EVMESH_TLS_CERT', kind: 'string', value: 'file', help: 'PEM certificate for --listen' },
  { key: 'tls.ca', flag: 'tls-ca', env: 'EVMESH_TLS_CA', kind: 'string', value: 'file', help: 'PEM CA that signs client certificates (mutual TLS)' },
  { key: 'tls.requestCert', flag: 'tls-request-cert', env: 'EVMESH_TLS_REQUEST_CERT', kind: 'boolean', help: 'refuse clients without a certificate signed by --tls-ca', default: 'false' },
  { key: 'peerTls.ca', flag: 'peer-tls-ca', env: 'EVMESH_PEER_TLS_CA', kind: 'string', value: 'file', help: 'PEM CA to verify tls:// peers' },
  { key: 'peerTls.cert', flag: 'peer-tls-cert', env: 'EVMESH_PEER_TLS_CERT', kind: 'string', value: 'file', help: 'PEM client certificate for tls:// peers' },
  { key: 'peerTls.key', flag: 'peer-tls-key', env: 'EVMESH_PEER_TLS_KEY', kind: 'string', value: 'file', help: 'PEM client key for tls:// peers' },
  { key: 'token', flag: 'token', env: 'EVMESH_TOKEN', kind: 'string', value: 'secret', help: 'token this node sends in its HELLO to peers', secret: 'value' },
  { key: 'httpToken', flag: 'http-token', env: 'EVMESH_HTTP_TOKEN', kind: 'string', value: 'secret', help: 'bearer token HTTP callers must send (full access)', secret: 'value' },
  { key: 'verify', flag: 'verify', env: 'EVMESH_VERIFY', kind: 'json', value: 'json', help: 'who may join: {"tokens":{"<identity>":"<token>"},"certificate":true}' },
  { key: 'acl', flag: 'acl', env: 'EVMESH_ACL', kind: 'json', value: 'json', help: 'topic ACL: {"<identity>":{"publish":[…],"subscribe":[…]},"*":{…}}' },
  { key: 'limits', flag: 'limits', env: 'EVMESH_LIMITS', kind: 'json', value: 'json', help: 'connection and rate limits: {"maxConnections":…,"publishRate":{…}}' },
  { key: 'subscriptions', flag: 'subscriptions', env: 'EVMESH_SUBSCRIPTIONS', kind: 'string', value: 'file', help: 'JSON file keeping the /subscriptions definitions ("memory": not kept)', default: 'with --store sqlite:PATH, PATH.subscriptions.json; else memory' },
  { key: 'allowedSinks', flag: 'allowed-sinks', env: 'EVMESH_ALLOWED_SINKS', kind: 'list', value: 'urls', help: 'URL prefixes a subscription sink must start with (comma-separated or repeated; an array in the file)', default: 'any http(s) URL' },
  { key: 'deadLetter', flag: 'dead-letter', env: 'EVMESH_DEAD_LETTER', kind: 'string', value: 'topic', help: 'topic for events a subscription sink refused through every retry', default: 'none: dropped' },
  { key: 'maxSubscriptions', flag: 'max-subscriptions', env: 'EVMESH_MAX_SUBSCRIPTIONS', kind: 'count', value: 'n', help: 'subscriptions held at once; one more is 409', default: '1000' },
  { key: 'metrics', flag: 'metrics', env: 'EVMESH_METRICS', kind: 'boolean', help: 'Prometheus metrics at /metrics (needs prom-client)', default: 'false' },
  { key: 'metricsPublic', flag: 'metrics-public', env: 'EVMESH_METRICS_PUBLIC', kind: 'boolean', help: 'serve /metrics without the bearer token', default: 'false' },
  { key: 'logLevel', flag: 'log-level', env: 'EVMESH_LOG_LEVEL', kind: 'level', value: 'level', help: `lowest level logged: ${LOG_LEVELS.join(', ')}`, default: 'info' },
];

/** Flags that steer the command rather than configure the node: never in a file or --print-config. */
export const COMMAND_FLAGS: readonly OptionSpec[] = [
  { key: 'config', flag: 'config', env: 'EVMESH_CONFIG', kind: 'string', value: 'file', help: 'JSON config file (flags > env > file > defaults)' },
  { key: 'printConfig', flag: 'print-config', env: '', kind: 'boolean', help: 'print the resolved configuration (secrets masked) and exit' },
  { key: 'help', flag: 'help', env: '', kind: 'boolean', help: 'show this help' },
];

const BY_FLAG: ReadonlyMap<string, OptionSpec> = new Map([...NODE_OPTIONS, ...COMMAND_FLAGS].map((o) => [o.flag, o]));

/** The option a flag (without dashes) names. */
export function optionByFlag(flag: string): OptionSpec | undefined {
  return BY_FLAG.get(flag);
}
