import { describe, expect, it } from 'vitest';
import { MeshEvent } from '../../../src/internal.js';
import { eventJson } from '../../../src/event/event-json.js';
import { PeerEvents } from '../../../src/federation/peer-event.js';
import { pushBody } from '../../../src/federation/stock/stock-frames.js';
import { decodeStoredEvent, encodeStoredEvent } from '../../../src/store/event-codec.js';

const trace = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
  baggage: 'tenant=acme%20corp;ttl=3',
};

function traced(): MeshEvent {
  const event = new MeshEvent('e-1', 'order.created', '/shop', { n: 1 }, Date.UTC(2026, 0, 1));
  return Object.assign(event, trace);
}

describe('the distributed-tracing extension survives every codec an event crosses', () => {
  it('the stored form every durable store writes and reads', () => {
    expect(decodeStoredEvent(encodeStoredEvent(traced()))).toMatchObject(trace);
  });

  it('the peer wire form', () => {
    expect(new PeerEvents().read(Buffer.from(eventJson(traced())))).toMatchObject(trace);
  });

  it('a push to a stock EventMesh client (CloudEvents protocol)', () => {
    expect(JSON.parse(pushBody(Object.assign(traced(), { protocoltype: 'cloudevents' })).toString('utf8'))).toMatchObject(trace);
  });
});
