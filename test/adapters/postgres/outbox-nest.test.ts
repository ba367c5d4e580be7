// `@Publish(topic, { outbox })` on a provider of a real Nest application: MeshModule binds
// the provider to its mesh, `outbox(mesh)` is a provider of its own, and the method's event
// exists only if the caller's transaction commits.
import 'reflect-metadata';
import { Controller, Injectable, Module } from '@nestjs/common';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { outbox, type Outbox } from '../../../adapters/postgres/index.js';
import { OnEvent, Publish, type Mesh, type MeshEvent } from '../../../src/index.js';
import { MESH, MeshModule } from '../../../nest/index.js';
import { until } from '../../support/expect-code.js';
import { serviceAvailable } from '../../support/services.js';
import { bootedApps } from '../../nest/nest-apps.js';
import { PG_URL, pgStores } from './pg-fixture.js';

const up = await serviceAvailable('postgres');
const OUTBOX = Symbol('OUTBOX');

@Injectable()
class Payments {
  @Publish('np.order.paid', { outbox: true })
  async pay(id: number): Promise<{ id: number }> {
    await Promise.resolve();
    return { id };
  }

  @Publish('np.order.refunded', { outbox: { executorArg: 0 } })
  async refund(_executor: pg.Client, id: number): Promise<{ id: number }> {
    return { id };
  }
}

@Controller()
class Ledger {
  readonly seen: string[] = [];

  @OnEvent('np.order.*')
  record(event: MeshEvent<{ id: number }>): void {
    this.seen.push(`${event.type} ${String(event.data.id)}`);
  }
}

describe.runIf(up)('@Publish through the outbox in a Nest application', () => {
  const fixture = pgStores();
  const { boot } = bootedApps();

  it('commits publish once, rollbacks never; with the transaction context and with an executor argument', async () => {
    @Module({
      imports: [MeshModule.forRoot({ id: 'shop', store: fixture.store({ pollInterval: 50 }) })],
      providers: [Payments, { provide: OUTBOX, useFactory: (mesh: Mesh) => outbox(mesh), inject: [MESH] }],
      controllers: [Ledger],
    })
    class AppModule {}
    const app = await boot(AppModule);
    const payments = app.get(Payments);
    const box = app.get<Outbox>(OUTBOX);
    const ledger = app.get(Ledger);

    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      await box.transaction(client, () => payments.pay(1));
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await box.transaction(client, () => payments.pay(2));
      await payments.refund(client, 3);
      expect(ledger.seen).toEqual([]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    // Outside any transaction context and without an executor: refused before the method runs.
    await expect(payments.pay(4)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_OPTIONS' });

    await until(() => ledger.seen.length >= 2, 10_000);
    // A fence published the ordinary way, after: anything duplicated or late would precede it.
    app.get<Mesh>(MESH).emit('np.order.fence', { id: 0 });
    await until(() => ledger.seen.includes('np.order.fence 0'), 10_000);
    expect(ledger.seen.sort()).toEqual(['np.order.fence 0', 'np.order.paid 2', 'np.order.refunded 3']);
  });
});
