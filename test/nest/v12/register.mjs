// `node --import ./test/nest/v12/register.mjs …` (or in NODE_OPTIONS): runs a program
// against NestJS 12 (see resolve-hooks.mjs). The nest12 vitest project sets it for the
// child processes of its tests.
import { register } from 'node:module';

register('./resolve-hooks.mjs', import.meta.url);
