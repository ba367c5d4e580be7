import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEvent } from 'cloudevents';
import type { Express } from 'express';
import type { Mesh } from '../../src/index.js';
import { subscriptionsApi, type SubscriptionsApi, type SubscriptionsApiOptions } from '../../express/index.js';

export interface Hit {
  readonly method: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly event: CloudEvent;
}

export interface Sink {
  readonly url: string;
  readonly hits: Hit[];
  /** The status of every request answered, failures included. */
  readonly answered: number[];
  /** What the sink answers from now on (its n-th request gets `statuses[n]`, the last repeating). */
  answer(statuses: number[]): void;
  close(): Promise<void>;
}

/** A real receiver over node:http that decodes each request with the cloudevents SDK. */
export async function sink(statuses: number[] = [204]): Promise<Sink> {
  const hits: Hit[] = [];
  const answered: number[] = [];
  let answers = statuses;
  let served = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers[Math.min(served++, answers.length - 1)] as number;
      answered.push(status);
      if (status < 300) {
        hits.push({ method: req.method, headers: req.headers, event: HTTP.toEvent({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }) as CloudEvent });
      }
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    answered,
    answer(next) {
      answers = next;
      served = 0;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface ServedApi {
  readonly url: string;
  readonly api: SubscriptionsApi;
  close(): Promise<void>;
}

/** The API mounted at /subscriptions of a real server built with the given Express (`mount` adds more routes). */
export async function serveApi(makeApp: () => Express, mesh: Mesh, options?: SubscriptionsApiOptions, mount?: (app: Express) => void): Promise<ServedApi> {
  const app = makeApp();
  mount?.(app);
  const api = subscriptionsApi(mesh, options);
  app.use('/subscriptions', api);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subscriptions`,
    api,
    async close() {
      await api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** POSTs a subscription request as JSON. */
export function subscribe(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
