// Integration tests that need a local service (Redis, NATS, RabbitMQ, PostgreSQL) ask here
// whether it answers. Under CI (`CI=true`) a missing service is a failure, never a
// skip: `.ci/run` starts the services first, so a silent skip would hide a broken
// machine. Elsewhere the suite is skipped with a loud message.
import { connect } from 'node:net';

export type ServiceName = 'redis' | 'nats' | 'rabbitmq' | 'postgres';

const PORTS: Readonly<Record<ServiceName, number>> = { redis: 6379, nats: 4222, rabbitmq: 5672, postgres: 5432 };

/** True when something accepts TCP connections on 127.0.0.1 at the service's port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves whether the suite should run. Call it at the top level of a test file
 * (`const up = await serviceAvailable('redis')`) and pass the result to
 * `describe.runIf(up)`. Under CI a missing service throws, so the file fails.
 */
export async function serviceAvailable(name: ServiceName, port: number = PORTS[name]): Promise<boolean> {
  if (await portOpen(port)) return true;
  const message = `${name} is not reachable on 127.0.0.1:${port} (start it with scripts/services.sh ${name})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so this is a failure`);
  console.warn(`\n!!! SKIPPING ${name} integration tests: ${message}\n`);
  return false;
}
