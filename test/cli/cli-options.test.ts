// `evmesh` as a child process (the built bin): help, version, --print-config, where
// options come from, and what a bad one says and exits with.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, NODE_OPTIONS } from '../../cli/option-table.js';
import { root } from '../package/packed.js';
import { buildOnce, runCli } from './cli-process.js';

beforeAll(buildOnce, 180_000);

const dir = mkdtempSync(join(tmpdir(), 'evmesh-cli-'));
function configFile(value: unknown): string {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

async function printed(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const run = await runCli(['node', '--print-config', ...args], env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('evmesh --help and --version', () => {
  it('node --help names every option of the table with its variable and config key, and the exit codes', async () => {
    const run = await runCli(['node', '--help']);
    expect(run.code).toBe(0);
    for (const o of [...NODE_OPTIONS, ...COMMAND_FLAGS]) {
      expect(run.stdout).toContain(`--${o.flag}`);
      if (o.env !== '') expect(run.stdout).toContain(o.env);
    }
    for (const o of NODE_OPTIONS) expect(run.stdout).toContain(`"${o.key}"`);
    for (const code of [0, 1, 2, 3, 4]) expect(run.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
  });

  it('--help lists the node command; --version prints the package version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}node /m);
    const version = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect([version.code, version.stdout]).toEqual([0, `${pkg.version}\n`]);
  });
});

describe('evmesh node --print-config', () => {
  it('masks tokens, verify tokens and a store password, and shows TLS files as paths only', async () => {
    const key = configFile('-----BEGIN PRIVATE KEY-----\nSECRETKEYBYTES\n');
    const config = await printed([
      '--store', 'amqp://guest:hunter2@127.0.0.1:5672/vh', '--token', 'peer-secret', '--http-token', 'http-secret',
      '--verify', '{"tokens":{"billing":"billing-secret"},"certificate":true}', '--tls-key', key, '--tls-cert', key,
    ]);
    const text = JSON.stringify(config);
    for (const secret of ['hunter2', 'peer-secret', 'http-secret', 'billing-secret', 'SECRETKEYBYTES']) expect(text).not.toContain(secret);
    expect(config).toMatchObject({
      store: 'amqp://guest:***@127.0.0.1:5672/vh', token: '***', httpToken: '***',
      verify: { tokens: { billing: '***' }, certificate: true }, tls: { key, cert: key },
    });
  });

  it('takes each key from flags over EVMESH_* variables over the config file over defaults', async () => {
    const file = configFile({ id: 'from-file', listen: '0.0.0.0:1', http: '127.0.0.1:2', peers: ['tcp://f:1'], tls: { cert: 'file.pem' }, logLevel: 'warn' });
    const env = { EVMESH_CONFIG: file, EVMESH_ID: 'from-env', EVMESH_LISTEN: '127.0.0.1:3', EVMESH_PEERS: 'tcp://e:1, tcp://e:2', EVMESH_TLS_KEY: 'env-key.pem' };
    expect(await printed([], { EVMESH_CONFIG: file })).toMatchObject({ id: 'from-file', listen: '0.0.0.0:1', http: '127.0.0.1:2', peers: ['tcp://f:1'], logLevel: 'warn', store: 'memory', metrics: false });
    expect(await printed([], env)).toMatchObject({ id: 'from-env', listen: '127.0.0.1:3', http: '127.0.0.1:2', peers: ['tcp://e:1', 'tcp://e:2'], tls: { cert: 'file.pem', key: 'env-key.pem' } });
    expect(await printed(['--id', 'from-flag', '--peer', 'tcp://a:1', '--peer', 'tcp://b:1', '--tls-key=flag-key.pem'], env)).toMatchObject({
      id: 'from-flag', listen: '127.0.0.1:3', peers: ['tcp://a:1', 'tcp://b:1'], tls: { cert: 'file.pem', key: 'flag-key.pem' },
    });
    // --config wins over EVMESH_CONFIG, defaults fill what nothing sets
    const other = configFile({ id: 'other-file' });
    expect(await printed(['--config', other], { EVMESH_CONFIG: file })).toMatchObject({ id: 'other-file', listen: '127.0.0.1:10000', http: '127.0.0.1:8080', logLevel: 'info' });
  });
});

describe('evmesh node --print-config: the Subscriptions API options', () => {
  it('resolves the catalogue beside a sqlite: database, else memory; takes sinks, dead letter and the bound from flags, variables and the file', async () => {
    expect(await printed(['--store', 'sqlite:/var/lib/evmesh/x.db'])).toMatchObject({ subscriptions: '/var/lib/evmesh/x.db.subscriptions.json', maxSubscriptions: 1000 });
    expect(await printed(['--store', 'redis://127.0.0.1:6379'])).toMatchObject({ subscriptions: 'memory' });
    expect(await printed(['--store', 'sqlite:./x.db', '--subscriptions', '/etc/evmesh/subs.json'])).toMatchObject({ subscriptions: '/etc/evmesh/subs.json' });
    const file = configFile({ allowedSinks: ['https://hooks.internal/'], deadLetter: 'dlq.subs', maxSubscriptions: 50 });
    expect(await printed(['--config', file])).toMatchObject({ allowedSinks: ['https://hooks.internal/'], deadLetter: 'dlq.subs', maxSubscriptions: 50 });
    const env = { EVMESH_CONFIG: file, EVMESH_ALLOWED_SINKS: 'https://a.internal/, http://b.internal/x', EVMESH_MAX_SUBSCRIPTIONS: '7' };
    expect(await printed([], env)).toMatchObject({ allowedSinks: ['https://a.internal/', 'http://b.internal/x'], deadLetter: 'dlq.subs', maxSubscriptions: 7 });
    expect(await printed(['--allowed-sinks', 'https://c.internal/', '--dead-letter', 'dlq.other'], env)).toMatchObject({ allowedSinks: ['https://c.internal/'], deadLetter: 'dlq.other' });
  });
});

describe('bad usage exits 2 with a message naming what is wrong', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['an unknown flag', ['--bogus'], {}, /--bogus: unknown option/],
    ['a flag without its value', ['--id'], {}, /--id: needs a value/],
    ['a bad address', ['--listen', 'nowhere'], {}, /--listen: expected host:port/],
    ['a bad boolean in the environment', [], { EVMESH_METRICS: 'maybe' }, /EVMESH_METRICS: expected true or false/],
    ['an unknown store', ['--store', 'mongo://u:pw@h'], {}, /--store: expected memory, sqlite:<file>/],
    ['bad JSON in a flag', ['--acl', '{nope'], {}, /--acl: expected a JSON object/],
    ['a bad log level', [], { EVMESH_LOG_LEVEL: 'loud' }, /EVMESH_LOG_LEVEL: expected one of debug, info/],
    ['an unknown verify key', ['--verify', '{"token":{}}'], {}, /--verify\.token: unknown key/],
    ['an unknown limit', ['--limits', '{"maxPeer":1}'], {}, /--limits\.maxPeer: unknown key/],
    ['a positional argument', ['extra'], {}, /"extra": unexpected argument/],
    ['a sink prefix that is not an http(s) URL', ['--allowed-sinks', 'https://a/,ftp://b'], {}, /--allowed-sinks: expected absolute http\(s\) URL prefixes, got "ftp:\/\/b"/],
    ['a dead-letter topic that is not one', [], { EVMESH_DEAD_LETTER: 'dlq..x' }, /EVMESH_DEAD_LETTER: not a topic/],
    ['a subscriptions bound below 1', ['--max-subscriptions', '0'], {}, /--max-subscriptions: expected a whole number of at least 1/],
  ];
  it.each(cases)('%s', async (_name, args, env, message) => {
    const run = await runCli(['node', '--print-config', ...args], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('pw@');
  });

  it('an unknown command, and no command at all', async () => {
    const unknown = await runCli(['nod']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/"nod": unknown command/)]);
    expect((await runCli([])).code).toBe(2);
  });

  it('a config file: unknown keys at any depth (with the path), wrong types, bad JSON, a missing file', async () => {
    const cases: [string, RegExp][] = [
      [configFile({ id: 'a', lisen: '127.0.0.1:1' }), /: lisen: unknown key \(known: id, source, listen/],
      [configFile({ tls: { key: 'k', requestCrt: true } }), /: tls\.requestCrt: unknown key \(known in tls: key, cert, ca, requestCert\)/],
      [configFile({ peers: 'tcp://a:1' }), /: peers: expected an array of strings/],
      [configFile({ metrics: 'yes' }), /: metrics: expected true or false/],
      [configFile({ tls: 'k.pem' }), /: tls: expected an object/],
      [configFile({ maxSubscriptions: '10' }), /: maxSubscriptions: expected a whole number of at least 1, got "10"/],
      [configFile({ allowedSinks: 'https://a/' }), /: allowedSinks: expected an array of strings/],
      [configFile('{ "id": '), /not valid JSON/],
      [join(dir, 'missing.json'), /--config: cannot read/],
    ];
    for (const [file, message] of cases) {
      const run = await runCli(['node', '--config', file, '--print-config']);
      expect(run.code, file).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('an ACL the mesh refuses, and TLS files that cannot be read, when the node starts', async () => {
    const acl = await runCli(['node', '--listen', '127.0.0.1:0', '--http', 'off', '--acl', '{"billing":{"publish":["a..b"]}}']);
    expect([acl.code, acl.stderr]).toEqual([2, expect.stringMatching(/acl\["billing"\]\.publish: .*ERR_MESH_INVALID_OPTIONS/)]);
    const tls = await runCli(['node', '--listen', '127.0.0.1:0', '--http', 'off', '--tls-key', join(dir, 'none.pem'), '--tls-cert', join(dir, 'none.pem')]);
    expect([tls.code, tls.stderr]).toEqual([2, expect.stringMatching(/--tls-key: cannot read/)]);
  });
});
