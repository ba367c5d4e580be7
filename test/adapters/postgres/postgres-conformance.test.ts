import { describe, it } from 'vitest';
import { storeConformance } from '../../../src/testing/index.js';
import { serviceAvailable } from '../../support/services.js';
import { deadPort } from '../../support/tcp-proxy.js';
import { pgStores, pgUrlAt } from './pg-fixture.js';

const up = await serviceAvailable('postgres');
const dead = await deadPort();

describe.runIf(up)('postgresStore', () => {
  const fixture = pgStores();
  // A short lease, so the at-least-once test sees a stopped consumer's delivery taken over quickly.
  storeConformance({ describe, it }, 'postgres', () => fixture.store({ lease: 1000, onError: () => undefined }), {
    unreachable: () => fixture.store({ connectionString: pgUrlAt(`127.0.0.1:${dead}`), connectTimeout: 500 }),
  });
});
