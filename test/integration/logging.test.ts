import { describe, expect, it } from 'vitest';
import type { MeshLogger } from '../../src/index.js';
import { until } from '../support/expect-code.js';
import { closedAfterEach } from '../support/meshes.js';
import { capturedPino } from '../support/pino-capture.js';
import { deadPort } from '../support/tcp-proxy.js';
import { stockFixture } from './stock-fixture.js';

const mesh = closedAfterEach();
const { session } = stockFixture();

const messages = (lines: Record<string, unknown>[], level?: number): unknown[] =>
  lines.filter((l) => level === undefined || l['level'] === level).map((l) => l['msg']);

describe('logging with a real pino over real TCP', () => {
  it('a link going up and down is logged at info with structured fields', async () => {
    const { logger, lines } = capturedPino('info');
    const a = mesh({ id: 'a', listen: { port: 0 }, logger });
    await a.start();
    const b = mesh({ id: 'b', peers: [`tcp://127.0.0.1:${String(a.address?.port)}`], logger });
    await b.start({ waitForPeers: 5000 });
    await until(() => messages(lines).filter((m) => m === 'peer link up').length === 2);
    await a.close();
    await until(() => lines.some((l) => l['msg'] === 'peer link down' && l['node'] === 'b'));
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 30, msg: 'mesh started', node: 'a', listen: `127.0.0.1:${String(a.address?.port)}`, store: 'memory' }),
      expect.objectContaining({ level: 30, msg: 'peer link up', node: 'a', peer: 'b', dialed: false, address: '127.0.0.1' }),
      expect.objectContaining({ level: 30, msg: 'peer link up', node: 'b', peer: 'a', dialed: true }),
      // a said goodbye as it closed (PROTOCOL §7.1): that is b's reason.
      expect.objectContaining({ level: 30, msg: 'peer link down', node: 'a', peer: 'b', reason: 'this node closed' }),
      expect.objectContaining({ level: 30, msg: 'peer link down', node: 'b', peer: 'a', reason: 'goodbye' }),
      expect.objectContaining({ level: 30, msg: 'mesh closed', node: 'a' }),
    ]));
  });

  it('logLevel drops what is below it, whatever pino\'s level', async () => {
    const { logger, lines } = capturedPino('debug');
    const m = mesh({ logger, logLevel: 'warn' });
    await m.start();
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    m.emit('x');
    await until(() => lines.length > 0);
    expect(lines).toMatchObject([{ level: 50, code: 'ERR_MESH_HANDLER_FAILED', err: { code: 'ERR_MESH_HANDLER_FAILED' } }]);
  });

  it('a dead configured peer: one warn, then its repeated failures at debug', async () => {
    const { logger, lines } = capturedPino('debug');
    const url = `tcp://127.0.0.1:${String(await deadPort())}`;
    const m = mesh({ id: 'lonely', peers: [url], logger });
    await m.start();
    await until(() => messages(lines, 20).filter((msg) => msg === 'peer dial failed again').length >= 2, 5000);
    const warnings = lines.filter((l) => l['level'] === 40);
    expect(warnings).toMatchObject([{ code: 'ERR_MESH_PEER_UNREACHABLE', node: 'lonely', err: { details: { peer: url } } }]);
    expect(lines.filter((l) => l['msg'] === 'peer dial failed again')[0]).toMatchObject({ peer: url, code: 'ERR_MESH_PEER_UNREACHABLE' });
  });

  it('a warn-level error is logged even when an error listener got it; an error-level one is not', async () => {
    const { logger, lines } = capturedPino('debug');
    const m = mesh({ peers: [`tcp://127.0.0.1:${String(await deadPort())}`], logger });
    const heard: string[] = [];
    m.on('error', (e) => void heard.push(e.code));
    m.subscribe('x', () => {
      throw new Error('boom');
    });
    await m.start();
    m.emit('x');
    await until(() => heard.includes('ERR_MESH_PEER_UNREACHABLE') && heard.includes('ERR_MESH_HANDLER_FAILED'));
    expect(lines.map((l) => l['code']).filter((c) => c !== undefined)).toEqual(['ERR_MESH_PEER_UNREACHABLE']);
  });

  it('stock client sessions opening and closing are logged at debug', async () => {
    const { logger, lines } = capturedPino('debug');
    const m = mesh({ listen: { port: 0 }, logger });
    await m.start();
    const client = await session(m.address?.port as number, 'sub', 'g1');
    await until(() => messages(lines).includes('stock client session opened'));
    client.destroy();
    await until(() => messages(lines).includes('stock client session closed'));
    expect(lines.filter((l) => String(l['msg']).startsWith('stock client'))).toMatchObject([
      { level: 20, group: 'g1', purpose: 'sub', address: '127.0.0.1' },
      { level: 20, group: 'g1' },
    ]);
  });
});

describe('logging with a console-style logger', () => {
  it('receives (message, fields) at the levels it has, from logLevel up', async () => {
    const calls: [string, string, unknown][] = [];
    const logger: MeshLogger = {
      info: (message, fields) => void calls.push(['info', message, fields]),
      error: (message, error) => void calls.push(['error', message, error]),
    };
    const m = mesh({ id: 'c', logger, logLevel: 'debug' });
    await m.start();
    await m.close();
    expect(calls).toEqual([
      ['info', '[evmesh] mesh started', { node: 'c', listen: undefined, peers: [], store: 'memory' }],
      ['info', '[evmesh] mesh closed', { node: 'c', drained: true }],
    ]);
  });

  it('a logger that throws at every level never breaks the mesh', async () => {
    const boom = (): never => {
      throw new Error('log sink gone');
    };
    const logger = { debug: boom, info: boom, warn: boom, error: boom };
    const a = mesh({ id: 'a', listen: { port: 0 }, logger, logLevel: 'debug' });
    await a.start();
    const got: unknown[] = [];
    a.subscribe('x', (e) => void got.push(e.data));
    a.subscribe('x', () => {
      throw new Error('handler fails, nobody listens: logged');
    });
    const b = mesh({ id: 'b', peers: [`tcp://127.0.0.1:${String(a.address?.port)}`], logger, logLevel: 'debug' });
    await b.start({ waitForPeers: 5000 });
    await b.publish('x', 1);
    await until(() => got.length === 1);
    await b.close();
    await a.close();
    expect(got).toEqual([1]);
  });
});
