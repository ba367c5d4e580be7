/** Layering rules checked by `npm run layering` (part of `npm test`). */
module.exports = {
  forbidden: [
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
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
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
    // Type-only imports vanish at runtime; cycles are judged on what Node loads.
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
