import { describe, it } from 'vitest';
import { natsStore } from '../../../adapters/nats/index.js';
import { storeConformance } from '../../../src/testing/index.js';
import { serviceAvailable } from '../../support/services.js';
import { deadPort } from '../../support/tcp-proxy.js';
import { natsStores } from './nats-fixture.js';

const up = await serviceAvailable('nats');
const dead = await deadPort();

describe.runIf(up)('natsStore', () => {
  const fixture = natsStores();
  storeConformance({ describe, it }, 'nats', () => fixture.store(), {
    unreachable: () => natsStore({ servers: `nats://127.0.0.1:${dead}` }),
    wait: 15_000,
  });
});
