import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { portOpen, serviceAvailable } from './services.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.destroy()).listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

describe('service availability for integration tests', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('sees a port that accepts connections and one that does not', async () => {
    const { server, port } = await listen();
    expect(await portOpen(port)).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await portOpen(port)).toBe(false);
  });

  it('fails under CI=true when the service is down instead of skipping', async () => {
    const { server, port } = await listen();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Redis, NATS or RabbitMQ may well be up here; check the rule on a port known to be closed.
    vi.stubEnv('CI', 'true');
    await expect(serviceAvailable('redis', port)).rejects.toThrow(/CI=true/);
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(serviceAvailable('redis', port)).resolves.toBe(false);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});
