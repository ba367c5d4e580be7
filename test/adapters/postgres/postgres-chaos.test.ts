// Chaos: a durable consumer process is SIGKILLed mid-stream and started again (support/chaos-case.ts).
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { serviceAvailable } from '../../support/services.js';
import { consumerProcesses, killMidStream } from '../support/chaos-case.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');

describe.runIf(up)('postgresStore chaos: consumer process SIGKILLed mid-stream', () => {
  const fixture = pgStores();
  const startConsumer = consumerProcesses(join(import.meta.dirname, '..', 'fixtures', 'chaos-consumer.mts'), () => ['postgres', PG_URL, fixture.schema, 'chaos', '1000']);

  it('handles every published event at least once after the consumer restarts', async () => {
    const producer = createMesh({ store: fixture.store() });
    try {
      // The schema exists before the child's store opens it (both would create it otherwise, under a lock).
      await producer.start();
      await killMidStream('postgres', producer, startConsumer);
    } finally {
      await producer.close();
    }
  }, 180_000);
});
