import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerHello } from '../../src/index.js';
import type { RemoteParty } from '../../src/internal.js';
import { hooksOf } from '../../src/mesh/mesh.js';
import { makePki, type TestPki } from '../support/certs.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { connect as tlsConnect } from 'node:tls';
import { StockClient, encode, userAgent } from './stock-client.js';

const mesh = closedAfterEach();
let pki: TestPki;

beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

/** A hub that requires client certificates from the test CA, and records what verifyHello was told. */
async function mtlsHub(): Promise<{ port: number; hellos: PeerHello[]; parties: RemoteParty[] }> {
  const hellos: PeerHello[] = [];
  const parties: RemoteParty[] = [];
  const hub = mesh({
    id: 'hub', listen: { port: 0, tls: { ...pki.server, ca: pki.ca, requestCert: true } },
    verifyHello: (hello) => {
      hellos.push(hello);
      const cn = hello.certificate?.subject['CN'];
      return typeof cn === 'string' ? { identity: `cert:${cn}` } : false;
    },
  });
  hooksOf(hub).add('onLinkUp', (party) => void parties.push(party));
  await hub.start();
  return { port: hub.address?.port as number, hellos, parties };
}

describe('mutual TLS (listen.tls with requestCert)', () => {
  it('admits a peer with a certificate from the CA, tells verifyHello its subject, and names it by the identity returned', async () => {
    const { port, hellos, parties } = await mtlsHub();
    const billing = mesh({ id: 'billing-node', peers: [`tls://127.0.0.1:${String(port)}`], peerTls: { ca: pki.ca, ...pki.client('billing') } });
    await billing.start({ waitForPeers: 10_000 });
    expect(hellos).toEqual([expect.objectContaining({ node: 'billing-node', certificate: { subject: { CN: 'billing' }, fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) } })]);
    await until(() => parties.length === 1);
    expect(parties).toEqual([expect.objectContaining({ kind: 'peer', identity: 'cert:billing' })]);
  });

  it('tells verifyHello the certificate of a stock client too, and names the client by the identity returned', async () => {
    const { port, hellos, parties } = await mtlsHub();
    const socket = tlsConnect({ port, host: '127.0.0.1', ca: pki.ca, ...pki.client('gateway-app') });
    try {
      const answered = new Promise<string>((resolve) => socket.on('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
      socket.write(encode({ cmd: 'HELLO_REQUEST', code: 0, seq: '1', properties: {} }, JSON.stringify({ ...userAgent('pub', 'g'), username: 'ignored' })));
      expect(await answered).toContain('HELLO_RESPONSE');
      expect(hellos).toEqual([expect.objectContaining({ client: { group: 'g', purpose: 'pub' }, certificate: expect.objectContaining({ subject: { CN: 'gateway-app' } }) })]);
      await until(() => parties.length === 1);
      expect(parties).toEqual([expect.objectContaining({ kind: 'client', identity: 'cert:gateway-app' })]);
    } finally {
      socket.destroy();
    }
  });

  it.each([
    ['no certificate', (): object => ({})],
    ['a certificate from another CA', (): object => ({ ...pki.rogue })],
  ])('refuses a peer with %s before its HELLO', async (_name, creds) => {
    const { port, hellos } = await mtlsHub();
    // Through a proxy that counts connections: a second one is the redial after the first was refused.
    const proxy = await TcpProxy.start(port);
    try {
      const intruder = mesh({ id: 'intruder', peers: [`tls://${proxy.url}`], peerTls: { ca: pki.ca, ...creds() } });
      const errors: string[] = [];
      intruder.on('error', (e) => void errors.push(e.code));
      await intruder.start();
      await until(() => proxy.accepted >= 2, 10_000);
      expect(intruder.peers()).toEqual([expect.objectContaining({ state: expect.not.stringMatching(/^linked$/) })]);
      expect(hellos).toEqual([]);
      expect(errors[0]).toBe('ERR_MESH_PEER_UNREACHABLE');
    } finally {
      await proxy.down();
    }
  });
});

describe('identities', () => {
  it('a stock client is known by the identity verifyHello returns, else by its UserAgent username', async () => {
    const parties: RemoteParty[] = [];
    const gw = mesh({ id: 'gw', listen: { port: 0 }, verifyHello: ({ token }) => (token === 't-1' ? { identity: 'tenant-1' } : true) });
    hooksOf(gw).add('onLinkUp', (party) => void parties.push(party));
    await gw.start();
    const port = gw.address?.port as number;
    for (const agent of [{ token: 't-1', username: 'alice' }, { username: 'bob' }]) {
      const client = await StockClient.connect(port);
      const hello = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('pub', 'g'), ...agent }));
      expect(hello.header.code).toBe(0);
      client.destroy();
    }
    await until(() => parties.length === 2);
    expect(parties.map((p) => p.identity)).toEqual(['tenant-1', 'bob']);
  });

  it('verifyHello answering something that is no verdict refuses the peer and reports ERR_MESH_INVALID_OPTIONS', async () => {
    const hub = mesh({ id: 'hub', listen: { port: 0 }, verifyHello: () => ({ identity: '' }) });
    const errors: string[] = [];
    hub.on('error', (e) => void errors.push(e.code));
    await hub.start();
    const peer = mesh({ id: 'peer', peers: [`tcp://127.0.0.1:${String(hub.address?.port)}`] });
    const refused: string[] = [];
    peer.on('error', (e) => void refused.push(e.code));
    await peer.start();
    await until(() => refused.includes('ERR_MESH_PEER_REFUSED'));
    expect(errors).toContain('ERR_MESH_INVALID_OPTIONS');
  });
});
