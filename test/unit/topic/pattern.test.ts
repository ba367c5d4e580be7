import { describe, expect, it } from 'vitest';
import { thrown } from '../../support/expect-code.js';
import { MAX_TOPIC_LENGTH } from '../../../src/topic/topic.js';
import { matchLevels, parsePattern, patternMatcher } from '../../../src/topic/pattern.js';
import { createMesh } from '../../../src/index.js';

const INVALID_PATTERN = expect.objectContaining({ code: 'ERR_MESH_INVALID_PATTERN', name: 'MeshError' });

describe('parsePattern', () => {
  it.each([
    ['a plain topic', 'com.shop.order', ['com', 'shop', 'order'], true],
    ['a `*` level', 'com.*.created', ['com', '*', 'created'], false],
    ['a trailing `#`', 'com.shop.#', ['com', 'shop', '#'], false],
    ['`#` alone', '#', ['#'], false],
    ['`*` alone', '*', ['*'], false],
    ['`#` in the middle', 'a.#.b', ['a', '#', 'b'], false],
    ['`*` next to `#`', 'a.*.#', ['a', '*', '#'], false],
    ['several separate `#`', '#.a.#', ['#', 'a', '#'], false],
  ])('parses %s', (_name, text, levels, exact) => {
    expect(parsePattern(text)).toEqual({ text, levels, exact });
  });

  it.each([
    ['#.#', '#', ['#']],
    ['a.#.#', 'a.#', ['a', '#']],
    ['#.#.#.a', '#.a', ['#', 'a']],
    ['a.#.#.b.#.#', 'a.#.b.#', ['a', '#', 'b', '#']],
  ])('collapses the run of `#` in %s', (input, text, levels) => {
    expect(parsePattern(input)).toEqual({ text, levels, exact: false });
  });

  it('keeps consecutive `*` levels, which each match one level', () => {
    expect(parsePattern('*.*').levels).toEqual(['*', '*']);
  });

  it('accepts a pattern of exactly the maximum length', () => {
    expect(parsePattern('a'.repeat(MAX_TOPIC_LENGTH)).levels).toHaveLength(1);
  });

  it.each([
    ['an empty pattern', ''],
    ['an empty level', 'a..b'],
    ['a leading dot', '.a'],
    ['a trailing dot', 'a.'],
    ['a wildcard glued to a word', 'a*'],
    ['a `#` glued to a word', 'a.b#'],
    ['a `#` at the start of a word', 'a.#b'],
    ['a double `*` level', 'a.**'],
    ['a `*#` level', 'a.*#'],
    ['a space', 'a.b c'],
    ['a tab', 'a.\t'],
    ['a newline', 'a\n.b'],
    ['a non-breaking space', 'a.\u00a0.b'],
    ['a pattern over the maximum length', 'a'.repeat(MAX_TOPIC_LENGTH + 1)],
    ['a zero-width space', 'a.\u200b.#'],
    ['a bidi override', 'orders.\u202ecreated'],
    ['a byte-order mark inside a level', 'a.b\ufeffc'],
    ['a lone surrogate', 'a.\udfff.*'],
  ])('rejects %s', (_name, pattern) => {
    expect(() => parsePattern(pattern)).toThrow(INVALID_PATTERN);
    expect(() => patternMatcher(pattern)).toThrow(INVALID_PATTERN);
  });

  it.each([
    ['NATS `>`', 'orders.>', '#'],
    ['NATS `>` alone', '>', '#'],
    ['MQTT `+`', 'orders.+.created', '*'],
    ['MQTT `+` alone', '+', '*'],
    ['EventEmitter2 `**`', 'orders.**', '#'],
  ])('rejects a %s level with a hint naming the evmesh wildcard', (_name, pattern, wildcard) => {
    const err = thrown(() => parsePattern(pattern));
    expect(err).toMatchObject({ code: 'ERR_MESH_INVALID_PATTERN', details: { pattern, hint: expect.any(String) } });
    const { message, details } = err as { message: string; details: { hint: string } };
    expect(details.hint).toContain(`"${wildcard}"`);
    expect(message).toContain(details.hint);
  });

  it('keeps `>` and `+` as literal characters inside a longer level', () => {
    expect(parsePattern('a.b>c.+1')).toEqual({ text: 'a.b>c.+1', levels: ['a', 'b>c', '+1'], exact: true });
  });

  it('refuses a NATS-style subscription on a real mesh instead of never matching', async () => {
    const mesh = createMesh();
    await mesh.start();
    try {
      expect(() => mesh.subscribe('orders.>', () => {})).toThrow(INVALID_PATTERN);
      expect(() => mesh.observe('orders.+')).toThrow(INVALID_PATTERN);
    } finally {
      await mesh.close();
    }
  });

  it.each([
    ['a number', 1],
    ['undefined', undefined],
    ['null', null],
    ['an array', ['a', '#']],
    ['an object', {}],
  ])('rejects %s as a pattern', (_name, value) => {
    expect(() => parsePattern(value)).toThrow(INVALID_PATTERN);
  });
});

// [pattern, topic, matches]
const TABLE: ReadonlyArray<readonly [string, string, boolean]> = [
  ['com.shop.order', 'com.shop.order', true],
  ['com.shop.order', 'com.shop', false],
  ['com.shop.order', 'com.shop.order.created', false],
  ['com.shop.order', 'com.shop.orders', false],
  ['com.*.order', 'com.shop.order', true],
  ['com.*.order', 'com.order', false],
  ['com.*.order', 'com.a.b.order', false],
  ['com.*', 'com', false],
  ['com.*', 'com.shop', true],
  ['com.*', 'com.shop.order', false],
  ['*', 'a', true],
  ['*', 'a.b', false],
  ['*.*', 'a.b', true],
  ['*.*', 'a', false],
  ['com.shop.#', 'com.shop', true],
  ['com.shop.#', 'com.shop.order', true],
  ['com.shop.#', 'com.shop.order.created', true],
  ['com.shop.#', 'com', false],
  ['com.shop.#', 'com.shopping.order', false],
  ['com.shop.#', 'org.shop.order', false],
  ['#', 'a', true],
  ['#', 'a.b.c.d.e.f', true],
  ['#.#', 'a.b', true],
  ['a.#.b', 'a.b', true],
  ['a.#.b', 'a.x.b', true],
  ['a.#.b', 'a.x.y.b', true],
  ['a.#.b', 'a.x.y', false],
  ['a.#.b', 'a.b.c', false],
  ['a.#.b', 'a.b.b', true],
  ['a.#.b', 'b', false],
  ['a.*.#', 'a', false],
  ['a.*.#', 'a.b', true],
  ['a.*.#', 'a.b.c.d', true],
  ['a.#.*', 'a', false],
  ['a.#.*', 'a.b', true],
  ['a.#.*', 'a.b.c', true],
  ['#.a.#', 'a', true],
  ['#.a.#', 'x.a', true],
  ['#.a.#', 'a.x', true],
  ['#.a.#', 'x.y.a.z', true],
  ['#.a.#', 'x.y.z', false],
  ['#.a', 'x.y.a', true],
  ['#.a', 'a.y', false],
  ['#.*', 'a', true],
  ['#.*.b', 'b', false],
  ['#.*.b', 'x.b', true],
  ['*.#.*', 'a', false],
  ['*.#.*', 'a.b', true],
  ['*.#.*', 'a.b.c.d', true],
  ['a.#.b.#.c', 'a.b.c', true],
  ['a.#.b.#.c', 'a.x.b.y.z.c', true],
  ['a.#.b.#.c', 'a.c.b', false],
];

describe('matchLevels and patternMatcher', () => {
  it.each(TABLE)('%s against %s → %s', (pattern, topic, expected) => {
    expect(matchLevels(parsePattern(pattern).levels, topic.split('.'))).toBe(expected);
    expect(patternMatcher(pattern)(topic)).toBe(expected);
  });

  it('matches a literal level only when it is equal, not when it is a prefix', () => {
    const match = patternMatcher('a.b');
    expect(match('a.b')).toBe(true);
    expect(match('a.bc')).toBe(false);
    expect(match('ab')).toBe(false);
  });

  it('matches an uncollapsed `#.#` the same as `#`', () => {
    for (const topic of [['a'], ['a', 'b'], ['a', 'b', 'c']]) {
      expect(matchLevels(['#', '#'], topic)).toBe(matchLevels(['#'], topic));
    }
  });
});
