/**
 * Child-process entry: runs exactly one case and prints its result rows, one JSON line
 * each (one row per case; a paired case yields two, the raw client's and ours).
 * Usage (run.ts does this for every case):
 *   node --expose-gc --import tsx benchmarks/case.ts <suite> <lib> <group>
 */
import { failedResult, harnessConfig, measure, type CaseResult } from './harness.js';
import { measurePaired } from './paired.js';
import { loadSuite, RESULT_MARK } from './registry.js';

async function main(suite: string, lib: string, group: string): Promise<CaseResult[]> {
  try {
    const def = (await loadSuite(suite)).cases.find((c) => c.lib === lib && c.group === group);
    if (!def) throw new Error(`no case ${suite}/${lib}/${group}`);
    if (def.paired) return await measurePaired(suite, def, def.paired, harnessConfig());
    return [await measure(suite, def, harnessConfig())];
  } catch (err) {
    // A broken case (an unfinished kernel, say) becomes one failed row, not a lost run.
    return [failedResult(suite, lib, group, err instanceof Error ? err.message : String(err))];
  }
}

const [suite = '', lib = '', group = ''] = process.argv.slice(2);
const results = await main(suite, lib, group);
// Exit explicitly once the lines are flushed: a handle left open by a library under test
// must not keep the child (and so the whole run) alive.
process.stdout.write(results.map((r) => `${RESULT_MARK}${JSON.stringify(r)}\n`).join(''), () => process.exit(0));
