import { describe, expect, it } from 'vitest';
import { compileCesql, compileFilter, MeshError } from '../../../src/index.js';
import { EventIds } from '../../../src/event/event-ids.js';
import { createEvent } from '../../../src/event/normalize.js';

const base = { specversion: '1.0', id: 'e-1', source: '/orders/eu', type: 'com.shop.order.created' };
const run = (expression: string, event: Record<string, unknown> = base): { value: unknown; kinds: string[] } => {
  const { value, errors } = compileCesql(expression)(event);
  return { value, kinds: errors.map((e) => e.kind) };
};

function parseFailure(expression: string): MeshError {
  try {
    compileCesql(expression);
  } catch (error) {
    return error as MeshError;
  }
  throw new Error(`"${expression}" parsed`);
}

describe('compileCesql', () => {
  it.each([
    ['a missing closing quote', "type = 'a", 7],
    ['a dangling operator', 'type =', 6],
    ['an integer beyond 32 bits', 'x = 2147483648', 4],
    ['LIKE without a string literal', 'x LIKE 123', 7],
    ['an underscore in an attribute name', 'my_ext = 1', 0],
    ['an empty IN set', 'x IN ()', 6],
    ['a stray character', 'x = #', 4],
  ])('throws ERR_MESH_INVALID_FILTER with the position for %s', (_name, expression, position) => {
    const error = parseFailure(expression);
    expect(error).toBeInstanceOf(MeshError);
    expect(error.code).toBe('ERR_MESH_INVALID_FILTER');
    expect(error.details).toMatchObject({ expression, position, errors: [{ kind: 'parse' }] });
    expect(error.message).toContain(`position ${String(position)}`);
  });

  it('refuses nesting past its limits instead of overflowing the stack', () => {
    expect(parseFailure(`${'('.repeat(100)}1${')'.repeat(100)}`).code).toBe('ERR_MESH_INVALID_FILTER');
    expect(parseFailure(Array.from({ length: 300 }, () => 'true').join(' AND ')).code).toBe('ERR_MESH_INVALID_FILTER');
  });

  it.each([
    ['sum overflow', '2147483647 + 1', 2147483647],
    ['difference overflow', '-2147483648 - 1', -2147483648],
    ['product overflow', '65536 * 65536', 2147483647],
    ['quotient overflow', '-2147483648 / -1', 2147483647],
    ['negation overflow', '-(-2147483648)', 2147483647],
  ])('reports %s as a math error with the nearest 32-bit value', (_name, expression, value) => {
    expect(run(expression)).toEqual({ value, kinds: ['math'] });
  });

  it.each([
    ['truncated division of a negative', '-7 / 2', -3],
    ['remainder with the sign of the dividend', '-7 % 2', -1],
    ['a remainder of zero is 0, not -0', '-4 % 2', 0],
    ['the extreme literal', '-2147483648', -2147483648],
    ['subtraction written without spaces', '4-1', 3],
  ])('computes %s', (_name, expression, value) => {
    expect(run(expression)).toEqual({ value, kinds: [] });
  });

  it.each([
    // spec §3.6: AND, OR, XOR share one precedence level and group left to right.
    ['left to right across OR and AND', 'TRUE OR FALSE AND FALSE', false],
    ['AND then OR', 'FALSE AND TRUE OR TRUE', true],
    ['comparison below arithmetic', '1 + 1 = 2', true],
    ['IN above comparison', "'a' IN ('a') = TRUE", true],
  ])('parses %s', (_name, expression, value) => {
    expect(run(expression).value).toBe(value);
  });

  it.each([
    ['a prefix', "source LIKE '/orders%'", true],
    ['a suffix', "type LIKE '%.created'", true],
    ['an infix', "type LIKE '%order%'", true],
    ['single characters', "source LIKE '/orders/__'", true],
    ['regex characters taken literally', "x LIKE 'a.c(d)+'", false],
    ['a surrogate pair as one character', "s LIKE '_'", true],
    ['a lone %', "type LIKE '%'", true],
  ])('LIKE matches %s', (_name, expression, value) => {
    expect(run(expression, { ...base, x: 'abc(d)+', s: '😀' }).value).toBe(value);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(run("LENGTH('😀a')").value).toBe(2);
    expect(run("SUBSTRING('a😀b', 2, 1)").value).toBe('😀');
    expect(run("RIGHT('a😀', 1)").value).toBe('😀');
  });

  it('reads a MeshEvent: core attributes, time, typed extensions; never data', () => {
    const event = createEvent({ ids: new EventIds(), source: '/test' }, 'com.shop.order.created', { total: 5 }, {
      id: 'e-7', subject: 'order-7', time: '2024-05-01T10:00:00.000Z', region: 'eu', priority: 2, urgent: false,
    });
    const expression = "id = 'e-7' AND specversion = '1.0' AND time LIKE '2024-05-01T%' AND region = 'eu' AND priority > 1 AND NOT urgent";
    expect(compileCesql(expression)(event)).toEqual({ value: true, errors: [] });
    expect(compileCesql('EXISTS data OR EXISTS dataschema')(event)).toEqual({ value: false, errors: [] });
    expect(compileCesql('data')(event).errors.map((e) => e.kind)).toEqual(['missingAttribute']);
  });

  it('gives each evaluation its own errors', () => {
    const evaluate = compileCesql('missing = 1');
    const first = evaluate(base);
    expect(evaluate({ ...base, missing: 1 })).toEqual({ value: true, errors: [] });
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]).toMatchObject({ kind: 'missingAttribute', message: expect.stringContaining('missing') });
  });
});

describe('the sql filter dialect', () => {
  it('passes an event only when the expression is true without errors', () => {
    const accepts = compileFilter({ sql: "type = 'com.shop.order.created' AND source LIKE '/orders%'" });
    expect(accepts(base)).toBe(true);
    expect(accepts({ ...base, source: '/billing' })).toBe(false);
    expect(compileFilter({ sql: "'yes'" })(base)).toBe(false);
    expect(compileFilter({ sql: '1' })(base)).toBe(false);
    // `NOT 10` is true with a CastError; `myext != 'x'` true-looking would be false with a MissingAttributeError.
    expect(compileFilter({ sql: 'NOT 10' })(base)).toBe(false);
    expect(compileFilter({ sql: "NOT (myext = 'x')" })(base)).toBe(false);
    expect(compileFilter({ sql: "myext IN ('a', 'b')" })({ ...base, myext: 'b' })).toBe(true);
  });

  it('composes with the other dialects', () => {
    const accepts = compileFilter({ all: [{ prefix: { type: 'com.shop.' } }, { not: { sql: "subject = 'x'" } }] });
    expect(accepts({ ...base, subject: 'y' })).toBe(true);
    expect(accepts({ ...base, subject: 'x' })).toBe(false);
  });

  it('refuses a call to a function that does not exist, since it could never pass', () => {
    expect(() => compileFilter({ sql: "LOWR(type) = 'a'" })).toThrow(expect.objectContaining({
      code: 'ERR_MESH_INVALID_FILTER', details: expect.objectContaining({ errors: [expect.objectContaining({ kind: 'missingFunction' })] }),
    }));
    expect(() => compileFilter({ sql: 'SUBSTRING(type)' })).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_FILTER' }));
  });
});
