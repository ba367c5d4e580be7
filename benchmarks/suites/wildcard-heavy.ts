/**
 * Issue 16, target 2: wildcard matching + dispatch at 100k subscriptions with a heavy
 * fan-out (2,000 topics, ~300 matches per publish). Same case as `wildcard`
 * (benchmarks/wildcard-case.ts), another workload shape.
 */
import { defineSuite, type CaseDef } from '../harness.js';
import { wildcardCase } from '../wildcard-case.js';
import { WILDCARD_LIBS } from '../wildcard-libs.js';
import { HEAVY_SHAPE } from '../workload.js';

const LIBS = new Set(['qlobber-amqp', 'evmesh', 'evmesh-nocache']);

const cases: CaseDef[] = WILDCARD_LIBS.filter((lib) => LIBS.has(lib.name))
  .map((lib) => ({ lib: lib.name, group: 'N=100k', setup: () => wildcardCase(lib, 100_000, HEAVY_SHAPE) }));

export default defineSuite({
  name: 'wildcard-heavy',
  title: 'Wildcard matching + dispatch, heavy fan-out (100k subscriptions, 2,000 topics cycled, ~300 matches per publish)',
  reference: 'qlobber-amqp',
  cases,
  notes: [
    'One publish = match the topic + call every matched handler (each subscription has its own closure doing count++), as in `wildcard`.',
    'Workload: the `wildcard` generator (benchmarks/workload.ts, seed 0xC0FFEE; 50% exact / 30% 1-2 `*` / 20% prefix + `#`, depth 3-6, even topics derived from a subscription, odd random) with `HEAVY_SHAPE`: levels drawn from 12 words instead of 20, and 2,000 topics instead of 1,024. Fan-out per topic: mean 299.3, p10 231, median 259, p90 455, max 517; most of it comes from `#` patterns with a 2-3 word prefix.',
    'The delivery check compares every row with the independent oracle (`fanOuts`), so an ok row proves exact matching.',
    'evmesh = default mesh (route cache of 10,000 topics: the 2,000 topics fit); evmesh-nocache = `createMesh({ matchCacheSize: 0 })`, i.e. the trie on every publish. qlobber-amqp = `new Qlobber()` with the AMQP syntax and default settings (no dedup, no split cache).',
    'Where the time goes (CPU profiles of the publish loop alone, 2026-12-05): qlobber-amqp ~69 % in its match, ~20 % calling handlers; evmesh-nocache ~54 % delivering (one MeshSubscription read per delivery before its handler), ~29 % in the trie walk, ~7 % building the route; evmesh ~87 % delivering. At this fan-out the trie visits ~15 nodes per topic and copies ~300 subscriptions; the delivery loop, not the match, is what keeps evmesh-nocache below qlobber.',
  ],
  targets: [
    { label: 'evmesh >= 1.5x qlobber-amqp, heavy fan-out at 100k', lib: 'evmesh', group: 'N=100k', metric: 'ratio', min: 1.5 },
    { label: 'evmesh-nocache (trie alone) >= 1.0x qlobber-amqp, heavy fan-out at 100k', lib: 'evmesh-nocache', group: 'N=100k', metric: 'ratio', min: 1 },
  ],
});
