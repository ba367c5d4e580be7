/**
 * The cost of one filter evaluation: a hand-written predicate, the declarative dialects
 * (exact/prefix/all/any) and CESQL, compiled once each and run over the same mesh events.
 * Nothing is delivered: this isolates the predicate, the part a filter adds per routed event.
 */
import { defineSuite, type CaseDef, type Workload } from '../harness.js';
import { loadKernel } from '../evmesh.js';
import { DATA, SOURCE } from '../fixtures.js';

type Event = { readonly [attribute: string]: unknown };
type Predicate = (event: Event) => boolean;

const TYPES = ['com.shop.order', 'com.shop.invoice', 'com.shop.order.refund'];
const SOURCES = ['/orders/eu', '/billing', '/orders/us', '/stock'];
const REGIONS = ['eu', 'us', 'uk', 'ch', 'jp'];
const SUBJECTS = ['VIP-17', 'std-3', 'vip-8', 'std-9', 'Vip-1', 'guest'];

/** 60 events mixing the attributes, so every expression matches some and refuses others. */
async function events(): Promise<Event[]> {
  const { createMesh } = await loadKernel();
  const mesh = createMesh({ source: SOURCE });
  const out = Array.from({ length: 60 }, (_, i) => mesh.emit(TYPES[i % 3] as string, DATA, {
    source: SOURCES[i % 4] as string, subject: SUBJECTS[i % 6] as string, region: REGIONS[i % 5] as string,
  }) as unknown as Event);
  await mesh.close();
  return out;
}

interface Scenario {
  readonly group: string;
  readonly hand: Predicate;
  readonly declarative?: unknown;
  readonly sql: string;
}

const WANTED = new Set(['eu', 'uk', 'ch']);
const SCENARIOS: Scenario[] = [
  {
    group: 'type = and LIKE prefix',
    hand: (e) => e['type'] === 'com.shop.order' && (e['source'] as string).startsWith('/orders'),
    declarative: { all: [{ exact: { type: 'com.shop.order' } }, { prefix: { source: '/orders' } }] },
    sql: "type = 'com.shop.order' AND source LIKE '/orders%'",
  },
  {
    group: 'IN list of 3',
    hand: (e) => WANTED.has(e['region'] as string),
    declarative: { any: [{ exact: { region: 'eu' } }, { exact: { region: 'uk' } }, { exact: { region: 'ch' } }] },
    sql: "region IN ('eu', 'uk', 'ch')",
  },
  {
    group: 'function call',
    hand: (e) => (e['subject'] as string).toLowerCase().startsWith('vip-'),
    sql: "LOWER(subject) LIKE 'vip-%'",
  },
];

async function workload(scenario: Scenario, make: () => Promise<Predicate>): Promise<Workload> {
  const list = await events();
  const accepts = await make();
  // What a correct predicate accepts, from the hand-written one: checks every case's answers.
  const hits = list.map((e) => (scenario.hand(e) ? 1 : 0));
  const perCycle = hits.reduce<number>((a, b) => a + b, 0);
  let k = 0;
  let matched = 0;
  return {
    run: (n) => {
      for (let i = 0; i < n; i++) {
        if (accepts(list[k] as Event)) matched++;
        k = k + 1 === list.length ? 0 : k + 1;
      }
    },
    delivered: () => matched,
    expected: (ops) => Math.floor(ops / list.length) * perCycle + hits.slice(0, ops % list.length).reduce<number>((a, b) => a + b, 0),
  };
}

const cases: CaseDef[] = [];
for (const s of SCENARIOS) {
  cases.push({ lib: 'hand-written', group: s.group, setup: () => workload(s, () => Promise.resolve(s.hand)) });
  if (s.declarative !== undefined) {
    cases.push({ lib: 'declarative', group: s.group, setup: () => workload(s, async () => (await loadKernel()).compileFilter(s.declarative)) });
  }
  cases.push({ lib: 'cesql', group: s.group, setup: () => workload(s, async () => (await loadKernel()).compileFilter({ sql: s.sql })) });
}

export default defineSuite({
  name: 'filters',
  title: 'One filter evaluation: hand-written predicate, declarative dialects, CESQL',
  reference: 'hand-written',
  cases,
  showDelta: true,
  notes: [
    '60 mesh events (MeshEvent, as filters see them) cycled; each case counts the events its predicate accepts, checked against the hand-written one.',
    'declarative: `{ all: [{ exact }, { prefix }] }` and `{ any: [exact × 3] }`; no declarative dialect can lower-case, so the function-call group has none.',
    SCENARIOS.map((s) => `${s.group}: \`${s.sql}\``).join('; '),
  ],
  targets: SCENARIOS.map((s) => ({ label: `cesql within 2x of hand-written, ${s.group}`, lib: 'cesql', group: s.group, metric: 'ratio', min: 0.5 })),
});
