import { describe, expect, it } from 'vitest';
import { coveringPattern, planOf } from '../../express/subscription-plan.js';
import { excludesType } from '../../express/excludes-type.js';

describe('coveringPattern', () => {
  it.each([
    [['a.b.c'], 'a.b.c'],
    [['a.b.c', 'a.b.d'], 'a.b.*'],
    [['a.x.c', 'a.y.c'], 'a.*.c'],
    [['a.b', 'a.b.c'], 'a.b.#'],
    [['a.b', 'x.y.z'], '#'],
  ])('%j -> %s', (types, pattern) => {
    expect(coveringPattern(types)).toBe(pattern);
  });
});

describe('planOf', () => {
  it('narrows a covering pattern with exact types, and keeps the dead-letter topic out', () => {
    expect(planOf({ types: ['a.b'] }, undefined)).toEqual({ pattern: 'a.b', filter: undefined });
    expect(planOf({ types: ['a.b', 'a.c'], source: '/s', filters: [{ prefix: { subject: 'x' } }] }, 'dlq')).toEqual({
      pattern: 'a.*',
      filter: { all: [{ any: [{ exact: { type: 'a.b' } }, { exact: { type: 'a.c' } }] }, { exact: { source: '/s' } }, { prefix: { subject: 'x' } }] },
    });
    expect(planOf({}, 'dlq')).toEqual({ pattern: '#', filter: { not: { exact: { type: 'dlq' } } } });
  });
});

describe('excludesType', () => {
  it.each([
    [{ not: { exact: { type: 'd' } } }, true],
    [{ not: { exact: { type: 'd', source: '/s' } } }, false],
    [{ exact: { type: 'other' } }, true],
    [{ all: [{ prefix: { subject: 'x' } }, { not: { exact: { type: 'd' } } }] }, true],
    [{ any: [{ exact: { type: 'a' } }, { prefix: { type: 'd' } }] }, false],
    [{ any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] }, true],
    [undefined, false],
  ])('%j excludes type d: %s', (filter, excluded) => {
    expect(excludesType(filter, 'd')).toBe(excluded);
  });
});
