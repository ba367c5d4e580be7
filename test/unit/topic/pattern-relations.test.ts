import { describe, expect, it } from 'vitest';
import { parsePattern } from '../../../src/topic/pattern.js';
import { overlaps } from '../../../src/topic/pattern-relations.js';

const levels = (p: string): readonly string[] => parsePattern(p).levels;

describe('overlaps (does some topic match both patterns?)', () => {
  it.each([
    ['#', 'a.b', true],
    ['a.#', '#.b', true],
    ['a.*', '*.b', true],
    ['a.#', 'b.#', false],
    ['a.*', 'a', false],
    ['a.#', 'a', true],
    ['a.*.c', 'a.b.*', true],
    ['a.*.c', 'a.b.d', false],
    ['*.*', '#.x.y.z', false],
    ['#.x', 'y.#', true],
    ['public.#', 'hr.salary.ceo', false],
  ] as const)('%s and %s: %s', (a, b, expected) => {
    expect(overlaps(levels(a), levels(b))).toBe(expected);
    expect(overlaps(levels(b), levels(a))).toBe(expected);
  });
});
