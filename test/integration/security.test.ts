import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, type MeshError } from '../../src/index.js';
import { expectRejectCode, until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const mesh = closedAfterEach();
let dir: string;
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
  // A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl.
  dir = mkdtempSync(join(tmpdir(), 'evmesh-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function answered(from: Mesh, topic: string): Promise<unknown> {
  let data: unknown;
  await until(() => {
    void from.request(topic, null, { timeout: 200 }).then((r) => (data = r.data), () => undefined);
    return data !== undefined;
  }, 5000);
  return data;
}

describe('peer links over TLS', () => {
  it('federate a node listening with TLS and a peer dialing tls:// with its CA', async () => {
    const server = mesh({ id: 'secure', listen: { port: 0, tls: { key, cert } } });
    server.subscribe('q', () => 'over tls');
    await server.start();
    const client = mesh({ id: 'client', peers: [`tls://127.0.0.1:${String(server.address?.port)}`], peerTls: { ca: cert } });
    await client.start();
    expect(await answered(client, 'q')).toBe('over tls');
  });

  it('never federate with a peer whose certificate is not trusted', async () => {
    const server = mesh({ id: 'secure', listen: { port: 0, tls: { key, cert } } });
    server.subscribe('q', () => 'secret');
    await server.start();
    // Through a proxy that counts connections: a second one is the redial after the first failed.
    const proxy = await TcpProxy.start(server.address?.port as number);
    try {
      const client = mesh({ id: 'client', peers: [`tls://${proxy.url}`] });
      await client.start();
      await until(() => proxy.accepted >= 2, 10_000);
      // Never linked: the configured peer is listed with the TLS failure as its last error.
      expect(client.peers()).toEqual([expect.objectContaining({ state: expect.not.stringMatching(/^linked$/), lastError: expect.objectContaining({ code: 'ERR_MESH_PEER_UNREACHABLE' }) })]);
      await expectRejectCode(client.request('q', null, { timeout: 5000 }), 'ERR_MESH_NO_RESPONDER');
    } finally {
      await proxy.down();
    }
  });
});

describe('HELLO token check', () => {
  it('admits a peer with the right token and refuses one with a wrong token (code 1)', async () => {
    const hub = mesh({ id: 'hub', listen: { port: 0 }, verifyHello: async ({ token }) => token === 'secret' });
    hub.subscribe('q', () => 'welcome');
    await hub.start();
    const port = String(hub.address?.port);
    const good = mesh({ id: 'good', peers: [`tcp://127.0.0.1:${port}`], token: 'secret' });
    const bad = mesh({ id: 'bad', peers: [`tcp://127.0.0.1:${port}`], token: 'guess' });
    const refused: MeshError[] = [];
    bad.on('error', (e) => void refused.push(e));
    await good.start();
    await bad.start();
    expect(await answered(good, 'q')).toBe('welcome');
    await until(() => refused.some((e) => e.code === 'ERR_MESH_PEER_REFUSED'), 5000);
    await expectRejectCode(bad.request('q', null, { timeout: 5000 }), 'ERR_MESH_NO_RESPONDER');
  });
});
