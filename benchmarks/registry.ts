/**
 * Finds the suites: every file in benchmarks/suites/ whose default export is a SuiteDef.
 * run.ts and case.ts both go through here, so a case name means the same in both processes.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CaseDef, SuiteDef } from './harness.js';

const SUITES_DIR = fileURLToPath(new URL('./suites/', import.meta.url));

/** Report order: the hot path first, the big wildcard tables after. Unlisted suites go last. */
const ORDER = ['emit-exact', 'emit-forms', 'create', 'publish-await', 'wildcard', 'wildcard-heavy', 'async-lanes', 'federation', 'interest', 'durable-stores', 'durable-brokers'];

const rank = (name: string): number => {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
};

/** Marks the child's result line, so nothing a library prints can be mistaken for it. */
export const RESULT_MARK = '@@bench-result ';

/**
 * Imports one suite file. The child process loads only its own suite, so no other
 * library's module is even on its heap.
 */
export async function loadSuite(name: string): Promise<SuiteDef> {
  const mod = (await import(pathToFileURL(`${SUITES_DIR}${name}.ts`).href)) as { default?: SuiteDef };
  if (mod.default?.name !== name) {
    throw new Error(`benchmarks/suites/${name}.ts must default-export defineSuite({ name: '${name}', ... })`);
  }
  return mod.default;
}

export async function loadSuites(): Promise<SuiteDef[]> {
  const names = readdirSync(SUITES_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  const suites = await Promise.all(names.map(loadSuite));
  return suites.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** The name filters match against, e.g. `wildcard/qlobber-amqp/N=10k`. */
export const caseName = (suite: SuiteDef, c: CaseDef): string => `${suite.name}/${c.lib}/${c.group}`;
