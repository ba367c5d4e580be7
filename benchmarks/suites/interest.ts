/**
 * Scenario 7 (issue 16, target 4): interest propagation at scale. Ten nodes in a line,
 * each in its own process, linked over TCP on 127.0.0.1; 100k distinct subscriptions on
 * the last. The case lives in benchmarks/interest/ (driver.ts, node.ts).
 */
import { defineSuite } from '../harness.js';
import { interestCase, NODES, SUBS } from '../interest/driver.js';

const GROUP = `${NODES} nodes in a line, ${SUBS / 1000}k subs on the last`;

export default defineSuite({
  name: 'interest',
  title: 'Interest propagation: 10 nodes in a line over TCP, 100k subscriptions on the last',
  reference: 'evmesh',
  // Ten processes start, 100k subscriptions cross nine hops and are withdrawn again: minutes on a loaded machine.
  cases: [{ lib: 'evmesh', group: GROUP, timed: () => interestCase(), timeoutMs: 900_000 }],
  notes: [
    'n0 … n9, one process each (`--expose-gc`), n(i+1) dialing n(i) over TCP on 127.0.0.1; all ten share the 2 cores, so the meshes run with `heartbeatInterval: 5000` (the default 2 s dropped links of nodes starved for 6 s under load) and `limits.helloTimeout: 30000`; a link lost anyway is listed under "errors reported". Once every link is up, n9 subscribes 100k distinct patterns, yielding to the event loop every 1,000 (one synchronous loop of 3–5 s on a loaded machine let the neighbour\'s 6 s heartbeat timeout drop the link) (benchmarks/workload.ts `distinctPatterns`: the wildcard mix, ~60% exact, ~40% with `*` or `#`), each with a handler of its own.',
    '"full routing ms": from just before n9\'s first subscribe (hrtime in n9) to the first poll of n0 (every 100 ms, hrtime in n0; CLOCK_MONOTONIC, comparable across processes) whose `mesh.peers()[0].interest.routed` counts all 100k. ns/op is that time / 100k. "all routed at n8..n0": the same for each hop (polled every second). "withdraw ms": n9 unsubscribes all, until n0 routes to none.',
    'Proof of routing: n0 then emits one event per 100th subscription (1,000 events, a topic each pattern matches); the delivery check passes only if n9\'s handlers ran exactly as often as an independent matcher (workload.ts `fanOuts`) says and every one of the 1,000 subscriptions got its event (delivered/expected = handler calls + subscriptions reached).',
    'Memory: each node\'s heapUsed after a forced GC, before n9 subscribes and once n0 routes to all, divided by 100k: "B/remote sub per hop" for n0 … n8 (n8 learns first, n0 last), "B/sub on n9" for the subscriptions as local ones of a federated node. "B/local sub": the same 100k subscriptions on a plain mesh (no federation) in a process of its own, measured the same way (the wildcard suite\'s bytes/sub). "remote/local max" = the worst hop / B/local sub.',
  ],
  targets: [
    { label: 'remote subscription <= 2x a local one, on every hop', lib: 'evmesh', group: GROUP, metric: 'remote/local max', max: 2 },
  ],
});
