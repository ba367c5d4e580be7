import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5, { type Express } from 'express';
import express4 from 'express4';
import { afterEach, expect } from 'vitest';
import type { Mesh } from '../../src/index.js';
import { meshRouter, type MeshRouter, type MeshRouterOptions } from '../../express/index.js';
import { SseReader } from './sse-reader.js';

/** Both Express majors the router supports; every router suite runs against each. */
export const EXPRESS_VERSIONS: readonly [string, () => Express][] = [
  ['express 5', () => express5()],
  ['express 4', () => express4()],
];

export interface Served {
  readonly url: string;
  readonly router: MeshRouter;
  readonly app: Express;
  close(): Promise<void>;
}

/**
 * A real listening server (port 0) with the router mounted at /events, built
 * with the given Express. `before` may add middleware ahead of the router.
 */
export async function serve(
  makeApp: () => Express, mesh: Mesh, options?: MeshRouterOptions, before?: (app: Express) => void,
): Promise<Served> {
  const app = makeApp();
  before?.(app);
  const router = meshRouter(mesh, options);
  app.use('/events', router);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    router,
    app,
    async close() {
      router.closeStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Asserts an RFC 9457 problem answer with this status and evmesh code; returns the document. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await res.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code, type: `urn:evmesh:error:${code}` });
  expect(typeof problem['title']).toBe('string');
  expect(typeof problem['detail']).toBe('string');
  return problem;
}

/** A stream suite's server and readers, all closed after each test. */
export interface StreamServer {
  /** Serves a router for the suite's current mesh; resolves with its /events URL. */
  start(options?: MeshRouterOptions): Promise<string>;
  /** Opens a raw SSE reader. */
  reader(url: string, headers?: Record<string, string>): Promise<SseReader>;
  /** The server of the running test, once started. */
  readonly served: Served | undefined;
  /** Run after each test, before the server closes (clients to close, sockets to destroy). */
  readonly cleanups: (() => void)[];
}

export function streamServer(makeApp: () => Express, meshOf: () => Mesh): StreamServer {
  let served: Served | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    await served?.close();
    served = undefined;
  });
  return {
    async start(options) {
      served = await serve(makeApp, meshOf(), options);
      return served.url;
    },
    async reader(url, headers) {
      const r = await SseReader.open(url, headers);
      cleanups.push(() => r.close());
      return r;
    },
    get served() {
      return served;
    },
    cleanups,
  };
}
