/**
 * Scenario 4: wildcard matching + dispatch over N seeded subscriptions (perf-anchors part 2);
 * the case itself is benchmarks/wildcard-case.ts.
 */
import { defineSuite, type CaseDef } from '../harness.js';
import { wildcardCase } from '../wildcard-case.js';
import { WILDCARD_LIBS } from '../wildcard-libs.js';
import { ANCHOR_SHAPE } from '../workload.js';

const SIZES: ReadonlyArray<[string, number]> = [['1k', 1_000], ['10k', 10_000], ['100k', 100_000]];

const cases: CaseDef[] = [];
for (const [label, n] of SIZES) {
  for (const lib of WILDCARD_LIBS) cases.push({ lib: lib.name, group: `N=${label}`, setup: () => wildcardCase(lib, n, ANCHOR_SHAPE) });
}

export default defineSuite({
  name: 'wildcard',
  title: 'Wildcard matching + dispatch (1024 topics cycled, depth 3-6, mixed * / #)',
  reference: 'qlobber-amqp',
  cases,
  notes: [
    'One publish = match the topic + call every matched handler (each subscription has its own closure doing count++).',
    'Workload: benchmarks/workload.ts, mulberry32 seed 0xC0FFEE, 20 words, 50% exact / 30% 1-2 `*` / 20% prefix + `#` (a fifth with a `*`), 1024 topics (even = derived from a subscription, odd = random).',
    'The reference script of perf-anchors is not in the repository, so the generator is rebuilt from its description (choices marked DECISION in workload.ts): its fan-outs are 2.22 / 17.21 / 158.32 at 1k / 10k / 100k against 2.19 / 15.97 / 151.71 there. Same distribution, not the same draws.',
    'Every subscription has its own handler closure, so at 100k one publish calls ~158 different closures; that costs memory traffic, and is one reason absolute rates at 100k sit below the anchors\' (a side test gave qlobber 1.3-1.6x more with one shared handler). Compare ratios.',
    'Syntaxes: evmesh and qlobber-amqp `. * #`; qlobber-mqtt and mqemitter `/ + #`; EventEmitter2 `. * **`. The delivery check compares every case with an independent oracle (benchmarks/workload.ts `fanOuts`), so an ok row with the workload\'s fan-out proves the library matched exactly the intended subscriptions.',
    'EventEmitter2 6.4.9 is the one exception: besides `#`-like zero-level matches of a trailing `**` (as intended), a `*` right before it also matches nothing (`a.b.*.**` receives `a.b`; `a.b.**.*` misbehaves too). Its check uses that rule (`ee2Semantics`), so its measured fan-out is marginally above the workload\'s (a few extra deliveries per 1024 topics).',
    'evmesh = default mesh (bounded match cache; 1024 distinct topics cycle through it); evmesh-nocache = `createMesh({ matchCacheSize: 0 })`, i.e. the trie itself.',
    'bytes/sub = heapUsed after subscribing minus before, both after forced GC, patterns/handlers/events pinned beforehand; mqemitter includes the (msg, done) wrapper it needs. subscribe/s is one cold pass over N subscriptions.',
  ],
  targets: [
    { label: 'evmesh >= 1.0x qlobber-amqp at 10k', lib: 'evmesh', group: 'N=10k', metric: 'ratio', min: 1 },
    { label: 'evmesh >= 1.0x qlobber-amqp at 100k', lib: 'evmesh', group: 'N=100k', metric: 'ratio', min: 1 },
    { label: 'stretch: evmesh-nocache (trie alone) >= 1.0x qlobber-amqp at 10k', lib: 'evmesh-nocache', group: 'N=10k', metric: 'ratio', min: 1 },
    { label: 'stretch: evmesh-nocache (trie alone) >= 1.0x qlobber-amqp at 100k', lib: 'evmesh-nocache', group: 'N=100k', metric: 'ratio', min: 1 },
    { label: 'evmesh <= 350 bytes/sub at 100k', lib: 'evmesh', group: 'N=100k', metric: 'bytes/sub', max: 350 },
    { label: 'anchor: evmesh subscribe >= 500k/s at 100k', lib: 'evmesh', group: 'N=100k', metric: 'subscribe/s', min: 500_000 },
  ],
});
