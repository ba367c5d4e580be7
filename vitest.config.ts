import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// What runs again on NestJS 12 (the root devDependencies are Nest 11): the Nest tests,
// the Nest example, the README's Nest example and the packed-tarball check.
// The PostgreSQL files run one after the other, in a project of their own. They had to
// while postgresStore's read horizon was server-wide (a test holding a transaction open
// on purpose held back every other reader); it is per events table now (each test file
// has its own schema), so this is a choice the project can revisit.
const POSTGRES_TESTS = ['test/adapters/postgres/**/*.test.ts', 'test/examples/outbox-orm.test.ts', 'test/examples/inbox.test.ts'];

const NEST_TESTS = ['test/nest/**/*.test.ts', 'test/examples/nest-app.test.ts', 'test/examples/readme-nest.test.ts', 'test/package/nest-package.test.ts'];

export default defineConfig({
  test: {
    // The JSON report is what .ci/run reads to print its one-line summary.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: POSTGRES_TESTS } },
      { extends: true, test: { name: 'postgres', include: POSTGRES_TESTS, fileParallelism: false } },
      {
        extends: true,
        // Nest 12 sits in test/nest/v12/node_modules (see its README): imports of @nestjs/*
        // in this process are aliased there, child processes get the resolve hook.
        resolve: {
          alias: [{ find: /^@nestjs\/(common|core|microservices|platform-express|terminus)(?=\/|$)/, replacement: here('./test/nest/v12/node_modules/@nestjs/$1') }],
        },
        test: {
          name: 'nest12',
          include: NEST_TESTS,
          env: {
            EVMESH_TEST_NEST: '12',
            NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${here('./test/nest/v12/register.mjs')}`.trim(),
          },
        },
      },
    ],
  },
});
