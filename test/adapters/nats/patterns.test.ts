import { describe, expect, it } from 'vitest';
import { consumerName, natsFilter, subjectOf } from '../../../adapters/nats/index.js';
import { patternMatcher } from '../../../src/index.js';
import { mulberry32 } from '../../support/prng.js';
import { expectThrowCode } from '../../support/expect-code.js';

/** NATS subject matching as the server does it: `*` one token, a final `>` one or more. */
function natsMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

const TABLE: { pattern: string; subjects: string[]; exact: boolean; cover: string }[] = [
  { pattern: 'a.b.c', subjects: ['p.a.b.c'], exact: true, cover: 'p.a.b.c' },
  { pattern: 'a.*.c', subjects: ['p.a.*.c'], exact: true, cover: 'p.a.*.c' },
  { pattern: '*', subjects: ['p.*'], exact: true, cover: 'p.*' },
  { pattern: '#', subjects: ['p.>'], exact: true, cover: 'p.>' },
  // Trailing `#` also matches zero levels: `a.b` itself and everything below it.
  { pattern: 'a.b.#', subjects: ['p.a.b', 'p.a.b.>'], exact: true, cover: 'p.a.>' },
  { pattern: 'a.#', subjects: ['p.a', 'p.a.>'], exact: true, cover: 'p.>' },
  // `*.#` and `#.*` are "one or more levels": exactly NATS `>`.
  { pattern: 'a.*.#', subjects: ['p.a.>'], exact: true, cover: 'p.a.>' },
  { pattern: 'a.#.*', subjects: ['p.a.>'], exact: true, cover: 'p.a.>' },
  { pattern: 'a.*.#.*', subjects: ['p.a.*.>'], exact: true, cover: 'p.a.*.>' },
  { pattern: '*.#', subjects: ['p.>'], exact: true, cover: 'p.>' },
  // `#` followed by a level has no NATS form: a cover, checked again on the client.
  { pattern: 'a.#.c', subjects: ['p.a.>'], exact: false, cover: 'p.a.>' },
  { pattern: '#.c', subjects: ['p.>'], exact: false, cover: 'p.>' },
  { pattern: 'a.*.#.c', subjects: ['p.a.*.>'], exact: false, cover: 'p.a.*.>' },
  { pattern: 'a.#.b.#', subjects: ['p.a.>'], exact: false, cover: 'p.a.>' },
  { pattern: 'a.#.#.b', subjects: ['p.a.>'], exact: false, cover: 'p.a.>' },
  // NATS syntax inside a plain mesh level is escaped, never a wildcard (a level that is
  // exactly `>` is refused by the pattern grammar; a topic may still have one).
  { pattern: 'a.b>.b', subjects: ['p.a.b%3E.b'], exact: true, cover: 'p.a.b%3E.b' },
  { pattern: 'x%y.*', subjects: ['p.x%25y.*'], exact: true, cover: 'p.x%25y.*' },
];

describe('natsFilter (mesh pattern → NATS subjects)', () => {
  for (const row of TABLE) {
    it(`maps ${row.pattern}`, () => {
      expect(natsFilter('p', row.pattern)).toEqual({ subjects: row.subjects, exact: row.exact, cover: row.cover });
    });
  }

  it('rejects an invalid pattern with ERR_MESH_INVALID_PATTERN', () => {
    expectThrowCode(() => natsFilter('p', 'a..b'), 'ERR_MESH_INVALID_PATTERN');
    expectThrowCode(() => natsFilter('p', 'a.b*'), 'ERR_MESH_INVALID_PATTERN');
    expectThrowCode(() => natsFilter('p', 'a.>'), 'ERR_MESH_INVALID_PATTERN');
  });

  it('agrees with the mesh matcher on random patterns and topics: exact subjects match the same topics, the cover at least those', () => {
    const rnd = mulberry32(5);
    const levels = ['a', 'b', 'c', '>'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      // A `>` level is a topic level only: patterns reach it through `*` and `#`.
      const pattern = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(['a', 'b', 'c', '*', '#', '#'])).join('.');
      const f = natsFilter('p', pattern);
      const mesh = patternMatcher(pattern);
      for (let k = 0; k < 40; k++) {
        const topic = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(levels)).join('.');
        const subject = subjectOf('p', topic);
        const want = mesh(topic);
        const any = f.subjects.some((s) => natsMatches(s, subject));
        if (f.exact) expect(any, `${pattern} vs ${topic}`).toBe(want);
        else if (want) expect(any, `${pattern} vs ${topic}`).toBe(true);
        if (want) expect(natsMatches(f.cover, subject), `cover of ${pattern} vs ${topic}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(16_000);
  });
});

describe('subjectOf and consumerName', () => {
  it('stores a type under the prefix, escaping `>` and `%` so a topic is never a wildcard', () => {
    expect(subjectOf('evmesh', 'com.shop.order.created')).toBe('evmesh.com.shop.order.created');
    expect(subjectOf('evmesh', 'a.>.b')).toBe('evmesh.a.%3E.b');
    expect(subjectOf('evmesh', 'a.50%>')).toBe('evmesh.a.50%25%3E');
    expect(subjectOf('evmesh', 'a.%3E')).not.toBe(subjectOf('evmesh', 'a.>'));
  });

  it('turns any durable name into a legal, distinct consumer name', () => {
    expect(consumerName('billing-orders')).toBe('billing-orders');
    const names = ['a.b', 'a_2eb', 'a b', 'a/b', 'a*b', 'a>b', 'ü', '_', 'a_b'];
    const mapped = names.map(consumerName);
    for (const m of mapped) expect(m).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(mapped).size).toBe(names.length);
  });
});
