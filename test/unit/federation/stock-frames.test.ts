import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/filter/dialects.js';
import { subjectFilter } from '../../../src/federation/stock/stock-frames.js';
import { expectThrowCode } from '../../support/expect-code.js';

describe('a stock subscription topic as a subject filter (PROTOCOL §8.2)', () => {
  const cases: [topic: string, matches: (string | undefined)[], misses: (string | undefined)[]][] = [
    ['TEST-TOPIC-TCP-ASYNC', ['TEST-TOPIC-TCP-ASYNC'], ['TEST-TOPIC', 'TEST-TOPIC-TCP-ASYNC.x', undefined]],
    ['shop.#', ['shop', 'shop.order', 'shop.order.created'], ['shopping', 'sho', 'x.shop', undefined]],
    ['#', ['a', 'a.b', 'anything at all'], [undefined]],
  ];
  for (const [topic, matches, misses] of cases) {
    it(`"${topic}" matches the subjects it should and no others`, () => {
      const accepts = compileFilter(subjectFilter(topic));
      for (const subject of matches) expect(accepts({ subject }), String(subject)).toBe(true);
      for (const subject of misses) expect(accepts({ subject }), String(subject)).toBe(false);
    });
  }

  it('refuses wildcards it cannot express, and invalid patterns', () => {
    for (const topic of ['a.*', '*', 'a.#.b', '#.a', 'a..b', '']) expectThrowCode(() => subjectFilter(topic), 'ERR_MESH_INVALID_PATTERN');
  });
});
