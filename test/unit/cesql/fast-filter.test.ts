import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCesql, MeshError } from '../../../src/index.js';
import { compileCesqlPredicate } from '../../../src/cesql/compile-cesql.js';

const TCK = fileURLToPath(new URL('../../fixtures/cesql-tck/', import.meta.url));
const ANY_VALID_EVENT = { specversion: '1.0', id: 'tck-1', source: '/tck', type: 'tck.event' };

/** What the filter must answer: the evaluator's value is `true` with no error. */
function expected(expression: string, event: Record<string, unknown>): boolean {
  const { value, errors } = compileCesql(expression)(event);
  return value === true && errors.length === 0;
}

function compiles(expression: string): boolean {
  try {
    compileCesqlPredicate(expression);
    return true;
  } catch (err) {
    if (err instanceof MeshError && err.code === 'ERR_MESH_INVALID_FILTER') return false;
    throw err;
  }
}

// Every expression of the conformance suite, and shapes the filter answers without the evaluator,
// against events where the attribute is a string, absent, an integer, a boolean, or `data`.
const SHAPES = [
  "type = 'a.b'", "'a.b' = type", "type != 'a.b'", "type <> 'x'", "source LIKE '/orders%'", "source NOT LIKE '/orders%'",
  "region IN ('eu', 'uk')", "region NOT IN ('eu')", "count = '5'", "flag = 'true'", "data = 'x'", "nothing = 'x'",
  "type = 'a.b' AND source LIKE '/o%' AND region IN ('eu', 'ch')", "type = 'a.b' AND count = 5", "type = 'a.b' AND (region = 'eu' OR region = 'uk')",
  "subject LIKE 'vip-\\%%'", "count IN ('5', 'x')",
];
const EVENTS: Record<string, unknown>[] = [
  { ...ANY_VALID_EVENT, type: 'a.b', source: '/orders/1', region: 'eu', count: 5, flag: true, subject: 'vip-%1', data: 'x' },
  { ...ANY_VALID_EVENT, type: 'a.b', source: '/other', region: 'uk', count: '5', flag: 'true' },
  { ...ANY_VALID_EVENT, type: 'x', source: '/orders', region: 'ch', count: 2147483648, subject: 'vip-1' },
  { ...ANY_VALID_EVENT },
];

function tckExpressions(): { expression: string; event: Record<string, unknown> }[] {
  const out: { expression: string; event: Record<string, unknown> }[] = [];
  for (const file of readdirSync(TCK).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(TCK + file, 'utf8');
    const tests = (parse(text) as { tests: { event?: Record<string, unknown>; eventOverrides?: Record<string, unknown> }[] }).tests;
    const sources = (parse(text, { schema: 'failsafe' }) as { tests: { expression: string }[] }).tests;
    tests.forEach((t, i) => out.push({ expression: (sources[i] as { expression: string }).expression, event: t.event ?? { ...ANY_VALID_EVENT, ...t.eventOverrides } }));
  }
  return out;
}

describe('the CESQL filter answers as the evaluator does', () => {
  it('on every conformance expression with its event, and on every test event', () => {
    let checked = 0;
    for (const { expression, event } of tckExpressions()) {
      if (!compiles(expression)) continue;
      const passes = compileCesqlPredicate(expression);
      for (const e of [event, ...EVENTS]) {
        expect(passes(e), `${expression} on ${JSON.stringify(e)}`).toBe(expected(expression, e));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it.each(SHAPES)('%s', (expression) => {
    const passes = compileCesqlPredicate(expression);
    for (const e of EVENTS) expect(passes(e), JSON.stringify(e)).toBe(expected(expression, e));
  });
});
