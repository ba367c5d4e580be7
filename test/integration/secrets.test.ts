import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../src/index.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { hooksOf } from '../../src/mesh/mesh.js';
import { until } from '../support/expect-code.js';
import { userAgent, type StockClient } from './stock-client.js';
import { stockFixture } from './stock-fixture.js';

// Nothing of a remote party's secret (UserAgent password, token) is reported, logged or given to hooks.
const { node, connect, createMesh } = stockFixture();
const SECRET = 'hunter2-s3cret';
/** A JSON parser quotes a few characters around its fault: any piece of the secret is a leak. */
const PIECE = SECRET.slice(0, 7);

/** Everything an error could show: message, stack, details and its causes, as inspect and JSON see them. */
function everything(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10, showHidden: true })];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    parts.push(e.message, String(e.stack), JSON.stringify((e as MeshError).details ?? null));
  }
  return parts.join('\n');
}

/** A UserAgent whose secret is where a JSON parser's error message would quote it. */
function brokenAgent(secretKey: 'password' | 'token'): string {
  const agent = JSON.stringify(userAgent('pub', 'g'));
  return `${agent.slice(0, -1)},"${secretKey}":${SECRET}}`;
}

async function badHello(client: StockClient, body: string, properties: Record<string, unknown> = {}): Promise<string> {
  const reply = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', properties, body);
  expect(reply.header.code).toBe(1);
  return JSON.stringify(reply.header);
}

describe('secrets in a HELLO', () => {
  it('a stock client\'s bad HELLO with a password: the error reported and the answer do not contain it', async () => {
    const { port, errors } = await node();
    const answer = await badHello(await connect(port), brokenAgent('password'));
    await until(() => errors.length > 0);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_WIRE_BAD_BODY']);
    expect(answer).not.toContain(PIECE);
    expect(everything(errors[0])).not.toContain(PIECE);
  });

  it('a peer\'s bad HELLO with a token: logged without it when nobody listens for errors', async () => {
    const logged: string[] = [];
    const mesh = createMesh({ listen: { port: 0 }, logger: { error: (message, error) => void logged.push(message, everything(error)) } });
    await mesh.start();
    const port = mesh.address?.port as number;
    const client = await connect(port);
    client.send('HELLO_REQUEST', { properties: { evmeshnode: 'intruder', evmeshproto: '1' }, body: brokenAgent('token') });
    await until(() => logged.length > 0 && client.isClosed);
    expect(JSON.stringify(client.frames.map((f) => f.header))).not.toContain(PIECE);
    expect(logged.join('\n')).not.toContain(PIECE);
  });

  it('hooks see a HELLO without its UserAgent', async () => {
    const { mesh, port } = await node();
    const seen: WireFrame[] = [];
    hooksOf(mesh).add('onRemoteFrame', (frame) => void seen.push(frame));
    const client = await connect(port);
    const reply = await client.call('HELLO_REQUEST', 'HELLO_RESPONSE', {}, JSON.stringify({ ...userAgent('pub', 'g'), username: 'u', password: SECRET, token: SECRET }));
    expect(reply.header.code).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((f) => f.header.cmd === 'HELLO_REQUEST')).toBe(true);
    expect(seen.map((f) => f.body?.toString() ?? '').join()).not.toContain(PIECE);
  });
});
