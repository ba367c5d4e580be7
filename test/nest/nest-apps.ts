// Booting real Nest applications (NestFactory) in tests, and closing them after each.
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach } from 'vitest';

/**
 * `boot(module)` creates and initialises an app; every app in `apps` is closed after
 * each test (a test that closes one itself takes it out of `apps` first).
 */
export function bootedApps(): { apps: INestApplication[]; boot: (module: unknown) => Promise<INestApplication> } {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  async function boot(module: unknown): Promise<INestApplication> {
    const app = await NestFactory.create(module as never, { logger: false, abortOnError: false });
    apps.push(app);
    await app.init();
    return app;
  }
  return { apps, boot };
}

/** A Nest logger that keeps the warnings (what evmesh/nest warns about) and drops the rest. */
export function warningLogger(): { logger: LoggerService; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, logger: { log: ignore, error: ignore, warn: (message: unknown) => void warnings.push(String(message)), debug: ignore, verbose: ignore } };
}
