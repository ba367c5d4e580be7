import { describe, expect, it } from 'vitest';
import { matchLevels, parsePattern } from '../../../src/topic/pattern.js';
import { TopicTrie } from '../../../src/topic/trie.js';
import { mulberry32 } from '../../support/prng.js';

const levels = (pattern: string): readonly string[] => parsePattern(pattern).levels;

function matchOf<T>(trie: TopicTrie<T>, topic: string): T[] {
  const out: T[] = [];
  trie.match(topic.split('.'), out);
  return out;
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('TopicTrie', () => {
  it('starts empty and matches nothing', () => {
    const trie = new TopicTrie<string>();
    expect(trie.size).toBe(0);
    expect(matchOf(trie, 'a.b')).toEqual([]);
  });

  it('returns every item whose pattern matches, and only those', () => {
    const trie = new TopicTrie<string>();
    const patterns = ['com.shop.order', 'com.*.order', 'com.shop.#', '#', 'com.shop.order.*', 'org.#', '*.*'];
    for (const p of patterns) trie.add(levels(p), p);
    expect(trie.size).toBe(patterns.length);
    expect(sorted(matchOf(trie, 'com.shop.order'))).toEqual(sorted(['com.shop.order', 'com.*.order', 'com.shop.#', '#']));
    expect(sorted(matchOf(trie, 'com.shop'))).toEqual(sorted(['com.shop.#', '#', '*.*']));
    expect(sorted(matchOf(trie, 'org'))).toEqual(sorted(['org.#', '#']));
  });

  it('appends matches to the given array without clearing it', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a'), 'x');
    const out = ['already'];
    trie.match(['a'], out);
    expect(out).toEqual(['already', 'x']);
  });

  it('writes from a given index over a reused buffer and returns the index after the last match', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a.#'), 'x');
    trie.add(levels('a.b'), 'y');
    const out = ['keep', 'old1', 'old2', 'old3'];
    const end = trie.match(['a', 'b'], out, 1);
    expect(end).toBe(3);
    expect(sorted(out.slice(1, end))).toEqual(['x', 'y']);
    // Nothing before `from` or past the returned index is touched.
    expect(out[0]).toBe('keep');
    expect(out[3]).toBe('old3');
    expect(trie.match(['z'], out, 0)).toBe(0);
  });

  it('keeps several items on the same pattern, including the same item twice', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a.*'), 'one');
    trie.add(levels('a.*'), 'two');
    trie.add(levels('a.*'), 'two');
    expect(trie.size).toBe(3);
    expect(sorted(matchOf(trie, 'a.b'))).toEqual(['one', 'two', 'two']);
  });

  it.each([
    ['#.a.#', 'a.a.a'],
    ['#.a.#', 'a'],
    ['#.a.#.a.#', 'a.a.a.a'],
    ['#.*.#', 'x.y.z'],
    ['a.#.a', 'a.a.a.a'],
    ['#.a', 'a.a.a'],
  ])('collects a pattern with several paths to its end once (%s on %s)', (pattern, topic) => {
    const trie = new TopicTrie<string>();
    trie.add(levels(pattern), 'item');
    expect(matchOf(trie, topic)).toEqual(['item']);
    // A second match (next epoch) finds it again, exactly once.
    expect(matchOf(trie, topic)).toEqual(['item']);
  });

  it('removes an item and reports whether it was there', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a.#'), 'x');
    trie.add(levels('a.#'), 'y');
    expect(trie.remove(levels('a.#'), 'x')).toBe(true);
    expect(trie.remove(levels('a.#'), 'x')).toBe(false);
    expect(trie.size).toBe(1);
    expect(matchOf(trie, 'a.b')).toEqual(['y']);
  });

  it.each([
    ['an item never added', 'a.b', 'nobody'],
    ['a pattern never added', 'a.c', 'x'],
    ['a longer pattern', 'a.b.c', 'x'],
    ['a shorter pattern', 'a', 'x'],
    ['a wildcard where a literal was added', 'a.*', 'x'],
  ])('does not remove %s', (_name, pattern, item) => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a.b'), 'x');
    expect(trie.remove(levels(pattern), item)).toBe(false);
    expect(trie.size).toBe(1);
    expect(matchOf(trie, 'a.b')).toEqual(['x']);
  });

  it('removes one occurrence of an item added twice', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a'), 'x');
    trie.add(levels('a'), 'x');
    expect(trie.remove(levels('a'), 'x')).toBe(true);
    expect(matchOf(trie, 'a')).toEqual(['x']);
  });

  it('goes back to empty after every pattern is removed, and can be reused', () => {
    const trie = new TopicTrie<number>();
    const patterns = ['a.b.c', 'a.*.c', 'a.#', '#.c', '#', '*', 'a.#.b.#'];
    patterns.forEach((p, i) => trie.add(levels(p), i));
    patterns.forEach((p, i) => expect(trie.remove(levels(p), i)).toBe(true));
    expect(trie.size).toBe(0);
    expect(matchOf(trie, 'a.b.c')).toEqual([]);
    trie.add(levels('a.b.c'), 7);
    expect(matchOf(trie, 'a.b.c')).toEqual([7]);
    expect(matchOf(trie, 'a.b')).toEqual([]);
  });

  it('routes every literal branch of a level as it grows from one to several and back', () => {
    const trie = new TopicTrie<string>();
    const words = ['b', 'c', 'd'];
    for (const w of words) {
      trie.add(levels(`a.${w}`), w);
      for (const seen of words) expect(matchOf(trie, `a.${seen}`)).toEqual(words.indexOf(seen) <= words.indexOf(w) ? [seen] : []);
    }
    // Down again, in another order: the last sibling standing still routes, then none.
    expect(trie.remove(levels('a.c'), 'c')).toBe(true);
    expect(trie.remove(levels('a.b'), 'b')).toBe(true);
    expect(matchOf(trie, 'a.d')).toEqual(['d']);
    expect(matchOf(trie, 'a.b')).toEqual([]);
    trie.add(levels('a.b'), 'b2');
    expect(matchOf(trie, 'a.b')).toEqual(['b2']);
    expect(matchOf(trie, 'a.d')).toEqual(['d']);
    expect(trie.remove(levels('a.d'), 'd')).toBe(true);
    expect(trie.remove(levels('a.b'), 'b2')).toBe(true);
    expect(trie.size).toBe(0);
    expect(matchOf(trie, 'a.b')).toEqual([]);
  });

  it('prunes a removed branch without disturbing a sibling that shares its prefix', () => {
    const trie = new TopicTrie<string>();
    trie.add(levels('a.b.c'), 'deep');
    trie.add(levels('a.b'), 'shallow');
    expect(trie.remove(levels('a.b.c'), 'deep')).toBe(true);
    expect(matchOf(trie, 'a.b')).toEqual(['shallow']);
    expect(matchOf(trie, 'a.b.c')).toEqual([]);
    expect(trie.remove(levels('a.b'), 'shallow')).toBe(true);
    expect(trie.size).toBe(0);
  });
});


describe('TopicTrie against brute-force matchLevels', () => {
  const WORDS = ['a', 'b', 'c', 'd'];

  function randomLevels(rand: () => number, wildcards: boolean): string[] {
    const depth = 1 + Math.floor(rand() * 5);
    const out: string[] = [];
    for (let i = 0; i < depth; i++) {
      const r = rand();
      if (wildcards && r < 0.15) out.push('#');
      else if (wildcards && r < 0.35) out.push('*');
      else out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
    }
    return out;
  }

  it.each([1, 42, 2024])('agrees on 2000 random patterns and 500 topics, before and after removing half (seed %i)', (seed) => {
    const rand = mulberry32(seed);
    const trie = new TopicTrie<string>();
    let live = Array.from({ length: 2000 }, (_, i) => {
      const parsed = parsePattern(randomLevels(rand, true).join('.'));
      return { id: `p${i}:${parsed.text}`, levels: parsed.levels };
    });
    for (const p of live) trie.add(p.levels, p.id);
    const topics = Array.from({ length: 500 }, () => randomLevels(rand, false));

    // One buffer for every match, as the routing table uses it: what a longer match left
    // past the returned index must never show up in a shorter one.
    const buffer: string[] = [];
    const check = (): void => {
      for (const topic of topics) {
        const expected = live.filter((p) => matchLevels(p.levels, topic)).map((p) => p.id);
        const end = trie.match(topic, buffer, 0);
        expect(sorted(buffer.slice(0, end)), topic.join('.')).toEqual(sorted(expected));
      }
    };

    check();
    const keep: typeof live = [];
    for (const p of live) {
      if (rand() < 0.5) expect(trie.remove(p.levels, p.id)).toBe(true);
      else keep.push(p);
    }
    live = keep;
    expect(trie.size).toBe(live.length);
    check();

    for (const p of live) trie.remove(p.levels, p.id);
    expect(trie.size).toBe(0);
    expect(topics.every((t) => matchOf(trie, t.join('.')).length === 0)).toBe(true);
  });
});
