// MeshHealthIndicator in a real Nest app with @nestjs/terminus, over real HTTP.
import 'reflect-metadata';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule, type HealthCheckResult } from '@nestjs/terminus';
import { describe, expect, it } from 'vitest';
import { MeshHealthIndicator, MeshModule } from '../../nest/index.js';
import { closedAfterEach } from '../support/meshes.js';
import { bootedApps } from './nest-apps.js';
import { probedStore } from '../support/probed-store.js';

const { boot } = bootedApps();
const mesh = closedAfterEach();

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(MeshHealthIndicator) private readonly mesh: MeshHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.mesh.isHealthy('mesh', { store: true })]);
  }
}

// Runs on Nest 11 and, in the nest12 project, with test/nest/v12's terminus 12 on Nest 12.
describe('MeshHealthIndicator with @nestjs/terminus', () => {
  it('answers GET /health 200 while the mesh is up, 503 with the reasons once its store fails, then once it closes', async () => {
    const { store, fail } = probedStore();
    const m = mesh({ id: 'nest-health', store });
    @Module({ imports: [MeshModule.forRoot({ mesh: m }), TerminusModule], controllers: [HealthController] })
    class AppModule {}
    const app = await boot(AppModule);
    await app.listen(0, '127.0.0.1');
    const url = `${await app.getUrl()}/health`.replace('[::1]', '127.0.0.1');

    const up = await fetch(url);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({
      status: 'ok',
      info: { mesh: { status: 'up', id: 'nest-health', checks: { started: { ok: true }, store: { ok: true } } } },
    });

    fail(true);
    const storeDown = await fetch(url);
    expect(storeDown.status).toBe(503);
    expect(await storeDown.json()).toMatchObject({
      status: 'error',
      error: { mesh: { status: 'down', checks: { store: { ok: false } }, reasons: [expect.stringMatching(/^store: .*engine went away/)] } },
    });

    fail(false);
    expect((await fetch(url)).status).toBe(200);
    await m.close();
    const closed = await fetch(url);
    expect(closed.status).toBe(503);
    expect(await closed.json()).toMatchObject({ error: { mesh: { status: 'down', reasons: expect.arrayContaining(['started: mesh is closed']) } } });
  });
});
