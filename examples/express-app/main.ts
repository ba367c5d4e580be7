// evmesh/express example: an Express app that takes CloudEvents over HTTP and
// streams them back as Server-Sent Events. It starts a server, posts an event with
// the cloudevents SDK's HTTP binding, reads it from the stream, reads the mesh's
// Prometheus metrics from its admin endpoint, and exits by itself.
//
//   node --import tsx examples/express-app/main.ts
import type { AddressInfo } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import { EventSource } from 'eventsource';
import express from 'express';
import { Registry } from 'prom-client';
import { createMesh } from '../../src/index.js';
import { meshAdmin, meshRouter } from '../../express/index.js';

const registry = new Registry();
const mesh = createMesh({ source: '/express-app', metrics: { registry } });
await mesh.start();

const app = express();
const events = meshRouter(mesh, {
  auth: (req) => req.headers.authorization === 'Bearer demo-token' || { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
  allowedTopics: ['com.shop.#'],
  heartbeat: 10_000,
});
app.use('/events', events);
// The admin endpoint: snapshot, /metrics, /health (public: probes send no token).
app.use('/admin', meshAdmin(mesh, { auth: (req) => req.headers.authorization === 'Bearer demo-token', public: ['health'] }));
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
console.log(`listening on ${base}`);

// A client reading the stream: EventSource, with the token sent through its fetch.
const authorized: typeof fetch = (url, init) => fetch(url, { ...init, headers: { ...init?.headers, authorization: 'Bearer demo-token' } });
const stream = new EventSource(`${base}/stream?pattern=com.shop.order.*`, { fetch: authorized });
const received = new Promise<Record<string, unknown>>((resolve) => {
  stream.onmessage = (message) => resolve(JSON.parse(message.data) as Record<string, unknown>);
});
await new Promise((resolve) => (stream.onopen = resolve));

// A client posting events in binary mode with the SDK's HTTP binding.
function post(event: CloudEvent<unknown>, token?: string): Promise<Response> {
  const { headers, body } = HTTP.binary(event);
  const sent = new Headers(headers as Record<string, string>);
  if (token !== undefined) sent.set('authorization', `Bearer ${token}`);
  return fetch(base, { method: 'POST', headers: sent, body: body as string });
}
const event = new CloudEvent({ type: 'com.shop.order.created', source: '/checkout', subject: 'order-1', data: { id: 1, total: 42 } });
const res = await post(event, 'demo-token');
console.log(`POST ${res.status} ${JSON.stringify(await res.json())}`);

// The same POST without the token, and one for a topic outside allowedTopics.
const anonymous = await post(event);
const forbidden = await post(new CloudEvent({ type: 'com.bank.transfer', source: '/x', data: {} }), 'demo-token');
for (const r of [anonymous, forbidden]) {
  const problem = (await r.json()) as { code: string };
  console.log(`POST ${r.status} ${r.headers.get('content-type')} ${problem.code}`);
}

const streamed = await received;
console.log(`stream got ${String(streamed['type'])} id=${String(streamed['id'])} data=${JSON.stringify(streamed['data'])}`);
console.log(`same event: ${String(streamed['id'] === event.id)}`);

const metrics = await (await authorized(base.replace('/events', '/admin/metrics'))).text();
console.log(metrics.split('\n').filter((line) => line.startsWith('evmesh_events_published_total')).join('\n'));
const health = await fetch(base.replace('/events', '/admin/health'));
console.log(`GET /admin/health ${health.status}`);

stream.close();
events.closeStreams();
await new Promise((resolve) => server.close(resolve));
await mesh.close();
console.log('express-app done');
