import { CloudEvent, HTTP } from 'cloudevents';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { until } from '../support/expect-code.js';
import { EXPRESS_VERSIONS, expectProblem, serve, type Served } from './harness.js';

// limits.publishRate over HTTP: a caller over the rate gets 429 ERR_MESH_RATE_LIMITED and nothing is published.
const createMesh = closedAfterEach();

function post(url: string, events: CloudEvent<{ id: number }>[]): Promise<Response> {
  const message = events.length === 1 ? HTTP.binary(events[0] as CloudEvent<{ id: number }>) : {
    headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events),
  };
  return fetch(url, { method: 'POST', headers: message.headers as Record<string, string>, body: message.body as string });
}

const order = (id: number): CloudEvent<{ id: number }> => new CloudEvent({ type: 'com.shop.order.created', source: '/test', data: { id } });

describe.each(EXPRESS_VERSIONS)('meshRouter under limits.publishRate on %s', (_name, makeApp) => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('answers 429 with Retry-After once the caller is over its rate; a refused batch publishes nothing', async () => {
    const mesh = createMesh({ limits: { publishRate: { rate: 0.01, burst: 3 } } });
    const seen: MeshEvent[] = [];
    mesh.subscribe('com.shop.#', (e) => void seen.push(e));
    served = await serve(makeApp, mesh);
    expect((await post(served.url, [order(1)])).status).toBe(202);
    const over = await post(served.url, [order(2), order(3), order(4)]); // 3 more than the 2 left
    await expectProblem(over, 429, 'ERR_MESH_RATE_LIMITED');
    expect(over.headers.get('retry-after')).toBe('300'); // 3 tokens at 0.01 a second
    expect((await post(served.url, [order(5), order(6)])).status).toBe(202);
    await expectProblem(await post(served.url, [order(7)]), 429, 'ERR_MESH_RATE_LIMITED');
    await until(() => seen.length === 3);
    expect(seen.map((e) => (e.data as { id: number }).id)).toEqual([1, 5, 6]);
  });
});
