/**
 * The seeded wildcard workload of perf-anchors part 2, in a neutral form (arrays of levels,
 * `*` = exactly one level, `#` = zero or more levels), converted per library by the
 * functions at the bottom. Same N => same subscriptions and topics in every process.
 *
 * The reference script is not in the repository, so the draw order below is our own
 * reading of the description; choices the description leaves open are marked DECISION.
 */

export const WORDS = [
  'shop', 'order', 'user', 'cart', 'item', 'price', 'stock', 'ship', 'pay', 'refund',
  'mail', 'auth', 'audit', 'report', 'search', 'cache', 'queue', 'job', 'log', 'metric',
] as const;

export const SEED = 0xc0ffee;
/** A power of two: publishers cycle through the topics with a mask. */
export const TOPIC_COUNT = 1024;
const MIN_DEPTH = 3;
const MAX_DEPTH = 6;

/** mulberry32: tiny, fast and identical on every platform, unlike Math.random. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Levels = string[];

export interface WildcardWorkload {
  patterns: Levels[];
  topics: Levels[];
}

/** The knobs a workload variant turns; the draws themselves are the same code. */
export interface WorkloadShape {
  /** How many of WORDS the levels are drawn from: fewer words, more patterns per topic. */
  readonly words: number;
  /** Distinct topics published, in a fixed cycle. */
  readonly topics: number;
}

/** perf-anchors part 2: the `wildcard` suite's workload. */
export const ANCHOR_SHAPE: WorkloadShape = { words: WORDS.length, topics: TOPIC_COUNT };

/**
 * The `wildcard-heavy` suite's workload (issue 16): 2,000 topics and a 12-word vocabulary,
 * which gives ~300 matching subscriptions per publish at 100k (299.3 with this seed).
 */
export const HEAVY_SHAPE: WorkloadShape = { words: 12, topics: 2_000 };

export function generateWorkload(n: number, shape: WorkloadShape = ANCHOR_SHAPE): WildcardWorkload {
  const rnd = mulberry32(SEED);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const words = (count: number): Levels => Array.from({ length: count }, () => WORDS[int(0, shape.words - 1)]!);

  const patterns: Levels[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    const depth = int(MIN_DEPTH, MAX_DEPTH);
    if (kind < 0.5) {
      patterns.push(words(depth)); // 50% exact
    } else if (kind < 0.8) {
      // 30%: 1-2 single-level wildcards. DECISION: never on level 0 (nobody subscribes to
      // `*.order.created`); two draws may hit the same level, leaving one wildcard.
      const p = words(depth);
      const k = int(1, 2);
      for (let j = 0; j < k; j++) p[int(1, depth - 1)] = '*';
      patterns.push(p);
    } else {
      // 20%: a 2..depth-1 word prefix + `#`; a fifth of those also have a `*`, which
      // DECISION: replaces a prefix word other than the first.
      const prefix = words(int(2, depth - 1));
      if (rnd() < 0.2) prefix[int(1, prefix.length - 1)] = '*';
      patterns.push([...prefix, '#']);
    }
  }

  const topics: Levels[] = [];
  for (let i = 0; i < shape.topics; i++) {
    if (i % 2 === 0) {
      // Derived half: guaranteed hits. DECISION: `*` becomes a random word and `#` 0..k
      // random words, keeping the topic at most MAX_DEPTH levels deep.
      const src = patterns[int(0, n - 1)]!;
      const t: Levels = [];
      for (const level of src) {
        if (level === '*') t.push(...words(1));
        else if (level === '#') t.push(...words(int(0, MAX_DEPTH - t.length)));
        else t.push(level);
      }
      topics.push(t);
    } else {
      topics.push(words(int(MIN_DEPTH, MAX_DEPTH)));
    }
  }
  return { patterns, topics };
}

function matches(p: Levels, t: Levels, pi: number, ti: number): boolean {
  for (; pi < p.length; pi++, ti++) {
    const level = p[pi];
    if (level === '#') {
      for (let skip = ti; skip <= t.length; skip++) if (matches(p, t, pi + 1, skip)) return true;
      return false;
    }
    if (ti >= t.length || (level !== '*' && level !== t[ti])) return false;
  }
  return ti === t.length;
}

/**
 * Oracle, independent of every library under test: how many patterns match each topic.
 * Patterns are bucketed by their first level so 100k x 2000 stays within a few seconds.
 */
export function fanOuts({ patterns, topics }: WildcardWorkload): Int32Array {
  const byFirst = new Map<string, Levels[]>();
  const wild: Levels[] = [];
  for (const p of patterns) {
    const first = p[0]!;
    if (first === '*' || first === '#') wild.push(p);
    else {
      let bucket = byFirst.get(first);
      if (!bucket) byFirst.set(first, (bucket = []));
      bucket.push(p);
    }
  }
  const out = new Int32Array(topics.length);
  topics.forEach((t, i) => {
    let c = 0;
    for (const p of byFirst.get(t[0]!) ?? []) if (matches(p, t, 0, 0)) c++;
    for (const p of wild) if (matches(p, t, 0, 0)) c++;
    out[i] = c;
  });
  return out;
}

/** evmesh and qlobber's default (AMQP) syntax: `.`, `*`, `#`. */
export const toAmqp = (l: Levels): string => l.join('.');

/** MQTT syntax for qlobber-mqtt and mqemitter: `/`, `+`, `#`. */
export const toMqtt = (l: Levels): string => l.map((x) => (x === '*' ? '+' : x)).join('/');

/** EventEmitter2 syntax: `.`, `*`, `**`. */
export const toEe2 = (l: Levels): string => l.map((x) => (x === '#' ? '**' : x)).join('.');

/**
 * What EventEmitter2 6.4.9 actually matches, as a neutral pattern for fanOuts(). Measured:
 * a trailing `**` matches zero or more levels like `#` (`a.b.**` receives `a.b`), but a `*`
 * directly before it may then match nothing as well (`a.b.*.**` receives `a.b`, which
 * `a.b.*.#` must not); spelling it `a.b.**.*` is no cure, that also receives `a.b`
 * depending on the other listeners. So EE2's deliveries are checked against this rewrite
 * (`P.*.#` -> `P.#`), and its fan-out comes out marginally above the workload's.
 */
export function ee2Semantics(l: Levels): Levels {
  const n = l.length;
  return n >= 2 && l[n - 1] === '#' && l[n - 2] === '*' ? [...l.slice(0, n - 2), '#'] : l;
}

/**
 * `n` distinct patterns of the workload's mix, in draw order: generateWorkload repeats
 * itself (73k distinct of 100k), so it is drawn 1.5x and the first `n` distinct kept.
 */
export function distinctPatterns(n: number): Levels[] {
  const seen = new Set<string>();
  const out: Levels[] = [];
  if (n === 0) return out;
  for (const p of generateWorkload(Math.ceil(n * 1.5)).patterns) {
    const text = toAmqp(p);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(p);
    if (out.length === n) return out;
  }
  throw new Error(`the workload has fewer than ${n} distinct patterns`);
}

/** A topic the pattern matches: each `*` becomes `shop`, each `#` nothing (the fewest levels). */
export const topicOf = (p: Levels): Levels => p.filter((l) => l !== '#').map((l) => (l === '*' ? WORDS[0] : l));
