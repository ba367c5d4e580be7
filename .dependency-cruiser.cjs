/**
 * Layering rules checked by `npm run layering` (part of `npm test`). Type-only imports
 * count like any other (tsPreCompilationDeps): a type dependency is still a dependency.
 *
 * The kernel's folders, lowest first. A module may import from its own folder and from
 * folders listed before its own, never after: the order is the architecture, and no
 * cycle between folders can exist. `errors.ts` is below everything; `index.ts` and
 * `internal.ts` (the entries) are above everything.
 */
const KERNEL_LAYERS = [
  'util', // small data structures with no mesh concept (Fifo)
  'topic', // topic and pattern grammar, trie, match cache
  'event', // MeshEvent, validation, ids, JSON form
  'cesql', // CloudEvents SQL: lexer, parser, compiler to closures, casts, functions (below filter, which uses it)
  'filter', // CloudEvents filter dialects
  'transform', // subscription transforms: JSONPath extraction, then a template for the new data
  'wire', // the EventMesh TCP codec
  'hooks', // the closed list of hooks and their runner
  'delivery', // subscriptions, routing table, dispatcher, scheduler, retries, requests
  'store', // the MeshStore interface, the memory store, codecs
  'pipeline', // use() chain, subscription pipes, observe()
  'publish', // the publish path (use chain → route → forward → store)
  'durable', // durable subscriptions fed by the store
  'federation', // peers, interest, forwarding, stock EventMesh clients
  'security', // the topic ACL, enforced on the hooks (federation never imports it; mesh wires it)
  'tracing', // OpenTelemetry spans and the distributed-tracing extension, on the hooks (mesh wires it)
  'inspect', // the shapes of mesh.inspect() and mesh.health()
  'metrics', // Prometheus metrics: counted on the hooks, sampled from the snapshot
  'decorators', // @OnEvent, @Publish, register
  'mesh', // the Kernel (wiring) and the Mesh facade
  'testing', // evmesh/testing
];

const layerRules = KERNEL_LAYERS.map((layer, rank) => {
  const allowed = ['errors\\.ts$', ...KERNEL_LAYERS.slice(0, rank + 1).map((l) => `${l}/`)];
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${allowed.join(', ')} (KERNEL_LAYERS in .dependency-cruiser.cjs).`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/', pathNot: `^src/(${allowed.join('|')})` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'errors-imports-nothing',
      comment: 'src/errors.ts is the bottom of the kernel.',
      severity: 'error',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'kernel-stays-below-integrations',
      comment: 'src/ is the kernel: it never imports the adapters or framework integrations built on it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(adapters|nest|express)/' },
    },
    {
      name: 'integrations-use-public-or-internal-entry',
      comment: 'nest/, express/ and adapters/ reach the kernel only through src/index.ts or src/internal.ts.',
      severity: 'error',
      from: { path: '^(adapters|nest|express)/' },
      to: { path: '^src/', pathNot: '^src/(index|internal)\\.ts$' },
    },
    {
      name: 'integrations-stay-apart',
      comment: 'nest/ and express/ do not import each other or the adapters; an adapter imports only itself and adapters/shared/.',
      severity: 'error',
      from: { path: '^(nest|express|adapters/[^/]+)/' },
      to: { path: '^(nest|express|adapters)/', pathNot: ['^$1/', '^adapters/shared/'] },
    },
    {
      name: 'cli-uses-entries',
      comment: 'cli/ (the evmesh command) reaches the package only through its entries: src/index.ts, src/internal.ts, express/index.ts, adapters/*/index.ts.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(src|nest|express|adapters)/', pathNot: ['^src/(index|internal)\\.ts$', '^express/index\\.ts$', '^adapters/[^/]+/index\\.ts$'] },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'cli/ is a program on top of the package: no part of the package imports it.',
      severity: 'error',
      from: { path: '^(src|nest|express|adapters)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'no-cycle-across-folders',
      comment: 'No import cycle, type imports included, passes through a file of another folder.',
      severity: 'error',
      from: { path: '^(.+)/[^/]+$' },
      to: { circular: true, via: { pathNot: '^$1/[^/]+$' } },
    },
    {
      name: 'no-runtime-cycle',
      comment: 'No cycle of value imports anywhere (what Node loads); within one folder, a cycle through a type-only import is allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
