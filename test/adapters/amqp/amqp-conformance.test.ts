import { describe, it } from 'vitest';
import { amqpStore } from '../../../adapters/amqp/index.js';
import { storeConformance } from '../../../src/testing/index.js';
import { serviceAvailable } from '../../support/services.js';
import { deadPort } from '../../support/tcp-proxy.js';
import { amqpStores } from './amqp-fixture.js';

const up = await serviceAvailable('rabbitmq');
const dead = await deadPort();

describe.runIf(up)('amqpStore', () => {
  const fixture = amqpStores();
  storeConformance({ describe, it }, 'amqp', () => fixture.store(), {
    unreachable: () => amqpStore({ url: `amqp://guest:guest@127.0.0.1:${dead}` }),
    wait: 15_000,
  });
});
