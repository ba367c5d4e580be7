import { afterEach } from 'vitest';
import type { Mesh, MeshError, MeshOptions } from '../../src/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { StockClient, type Frame } from './stock-client.js';

/**
 * Per test file: nodes listening on a free port (closed after each test) and stock
 * client sessions (destroyed after each test).
 */
export function stockFixture(): {
  createMesh: (options?: MeshOptions) => Mesh;
  node: (options?: MeshOptions) => Promise<{ mesh: Mesh; port: number; errors: MeshError[] }>;
  session: (...args: Parameters<typeof StockClient.session>) => Promise<StockClient>;
  connect: (port: number) => Promise<StockClient>;
  linkedPair: (setup?: (b: Mesh) => void) => Promise<LinkedPair>;
} {
  const createMesh = closedAfterEach();
  const clients: StockClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });
  const node = async (options: MeshOptions = {}): Promise<{ mesh: Mesh; port: number; errors: MeshError[] }> => {
    const mesh = createMesh({ listen: { port: 0 }, ...options });
    const errors: MeshError[] = [];
    mesh.on('error', (e) => void errors.push(e));
    await mesh.start();
    return { mesh, port: mesh.address?.port as number, errors };
  };
  return {
    createMesh,
    node,
    async session(...args) {
      const client = await StockClient.session(...args);
      clients.push(client);
      return client;
    },
    async connect(port) {
      const client = await StockClient.connect(port);
      clients.push(client);
      return client;
    },
    /** `b` listens (subscribed by `setup`), `a` dials it; resolves once the link is up and b's interest is known at a. */
    async linkedPair(setup = () => undefined) {
      const { mesh: b, port, errors: bErrors } = await node({ id: 'b' });
      setup(b);
      const a = createMesh({ id: 'a', peers: [`tcp://127.0.0.1:${String(port)}`] });
      const aErrors: MeshError[] = [];
      a.on('error', (e) => void aErrors.push(e));
      const up = new Promise<void>((resolve) => a.on('peer:up', () => resolve()));
      await a.start();
      await up;
      return { a, b, aErrors, bErrors };
    },
  };
}

/** Two linked nodes and the errors each reported. */
export interface LinkedPair {
  readonly a: Mesh;
  readonly b: Mesh;
  readonly aErrors: MeshError[];
  readonly bErrors: MeshError[];
}

/** A push (not a response): what a subscriber must ACK. */
export const isPush = (f: Frame): boolean => f.header.cmd.endsWith('_TO_CLIENT') && f.header.cmd !== 'RESPONSE_TO_CLIENT';

/** Only where a test must show that something does NOT happen within a window. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
