import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLinkPair } from '../../../src/federation/memory-link.js';
import { StockSessions } from '../../../src/federation/stock/stock-sessions.js';
import { kernelOf } from '../../../src/mesh/mesh.js';
import { encodeSubscription } from '../../../src/wire/bodies/subscription.js';
import { encodeUserAgent } from '../../../src/wire/bodies/user-agent.js';
import type { WireCommand } from '../../../src/wire/constants.js';
import type { WireFrame } from '../../../src/wire/frame.js';
import { closedAfterEach } from '../../support/meshes.js';

const createMesh = closedAfterEach();
afterEach(() => void vi.useRealTimers());

function frame(cmd: WireCommand, seq: string, body?: Buffer, properties: Record<string, string> = {}): WireFrame {
  return { header: { cmd, code: 0, seq, properties }, body };
}

describe('a stock session that ends', () => {
  it('leaves no timer behind for the REQUEST_TO_CLIENT pushes it was awaiting answers to', async () => {
    vi.useFakeTimers();
    const mesh = createMesh();
    const sessions = new StockSessions(kernelOf(mesh));
    const [server, client] = memoryLinkPair();
    const pushes: WireFrame[] = [];
    client.onFrame = (f) => void (f.header.cmd === 'REQUEST_TO_CLIENT' && pushes.push(f));
    sessions.adopt(server, frame('HELLO_REQUEST', '1', encodeUserAgent({ version: '1', group: 'g', purpose: 'sub', pid: 1, port: 0, unack: 0 })));
    client.send(frame('SUBSCRIBE_REQUEST', '2', encodeSubscription({ topicList: [{ topic: 'rr', mode: 'CLUSTERING', type: 'SYNC' }] })));
    client.send(frame('LISTEN_REQUEST', '3'));
    await vi.advanceTimersByTimeAsync(0);
    const idle = vi.getTimerCount(); // the expiry sweep
    for (let i = 0; i < 3; i++) mesh.emit('com.ask', i, { subject: 'rr' });
    await vi.advanceTimersByTimeAsync(0);
    expect(pushes).toHaveLength(3);
    client.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(idle);
    sessions.close();
  });
});

describe('a stock requester that goes away', () => {
  it('leaves no request open behind it (nor its timer, which would hold the process for the whole ttl)', async () => {
    vi.useFakeTimers();
    const mesh = createMesh();
    mesh.subscribe('slow.q', () => undefined); // takes the request, never answers
    const sessions = new StockSessions(kernelOf(mesh));
    const [server, client] = memoryLinkPair();
    sessions.adopt(server, frame('HELLO_REQUEST', '1', encodeUserAgent({ version: '1', group: 'g', purpose: 'pub', pid: 1, port: 0, unack: 0 })));
    await vi.advanceTimersByTimeAsync(0);
    const idle = vi.getTimerCount();
    const ask = { specversion: '1.0', id: 'q1', source: '/', type: 'cloudevents', subject: 'slow.q', ttl: '600000', data: 1 };
    client.send(frame('REQUEST_TO_SERVER', '2', Buffer.from(JSON.stringify(ask)), { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(idle + 1);
    client.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(idle);
    sessions.close();
  });
});
