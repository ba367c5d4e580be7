import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCesql, MeshError, type CesqlResult } from '../../../src/index.js';

// The CESQL conformance suite, unchanged (see its README for origin and licence).
const TCK = fileURLToPath(new URL('../../fixtures/cesql-tck/', import.meta.url));

interface TckCase {
  readonly name: string;
  readonly expression: string;
  readonly result?: boolean | number | string;
  readonly error?: string;
  readonly event?: Record<string, unknown>;
  readonly eventOverrides?: Record<string, unknown>;
}

/** "If absent, when testing the expression, any valid event can be passed." */
const ANY_VALID_EVENT = { specversion: '1.0', id: 'tck-1', source: '/tck', type: 'tck.event' };

/** Parses with the compiler's own parse error reported as a result, the way the suite expects it. */
function evaluate(test: TckCase): CesqlResult {
  let evaluator;
  try {
    evaluator = compileCesql(test.expression);
  } catch (error) {
    if (!(error instanceof MeshError) || error.code !== 'ERR_MESH_INVALID_FILTER') throw error;
    return { value: false, errors: [{ kind: 'parse', message: error.message }] };
  }
  return evaluator(test.event ?? { ...ANY_VALID_EVENT, ...test.eventOverrides });
}

/** `generic` is the spec's "any error not specified above": none of our kinds is outside the list, so it takes any error. */
function kindsMatch(expected: string, kinds: readonly string[]): boolean {
  return expected === 'generic' ? kinds.length > 0 : kinds.includes(expected);
}

const files = readdirSync(TCK).filter((f) => f.endsWith('.yaml')).sort();

describe('CESQL conformance suite (cloudevents/spec cesql_tck)', () => {
  it('finds the suite files', () => {
    expect(files.length).toBe(18);
  });

  for (const file of files) {
    const text = readFileSync(TCK + file, 'utf8');
    const suite = parse(text) as { name: string; tests: TckCase[] };
    // Expressions are read as YAML strings: the core schema would turn `TRUE` into true and `-10` into a number.
    const sources = (parse(text, { schema: 'failsafe' }) as { tests: { expression: string }[] }).tests;
    describe(`${file}: ${suite.name}`, () => {
      const tests = suite.tests.map((t, i) => [t.name, { ...t, expression: (sources[i] as { expression: string }).expression }] as const);
      it.each(tests)('%s', (_name, test) => {
        const { value, errors } = evaluate(test);
        if (test.result !== undefined) expect(value).toStrictEqual(test.result);
        const kinds = errors.map((e) => e.kind);
        if (test.error === undefined) expect(kinds).toEqual([]);
        else expect(kindsMatch(test.error, kinds), `errors ${JSON.stringify(kinds)}, expected ${test.error}`).toBe(true);
      });
    });
  }
});
