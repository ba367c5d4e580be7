// Prints the one-line test summary CI shows, read from vitest's JSON report:
//   "12 passed, 0 failed", always the last line and nothing else on it; skipped or
//   todo tests are counted on the line before it, so the summary line stays plain.
// Exits 1 with a one-line explanation when the report is missing or unreadable,
// e.g. because typecheck or lint failed before vitest ran.
//
//   node scripts/test-summary.mjs [report]    (default: .vitest/results.json)
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? '.vitest/results.json';

/** @returns {{ numPassedTests: number, numFailedTests: number, numPendingTests?: number, numTodoTests?: number } | string} */
function readReport(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return `No test report at ${path}: vitest did not run (see the errors above).`;
  }
  try {
    const report = JSON.parse(text);
    if (typeof report.numPassedTests === 'number' && typeof report.numFailedTests === 'number') return report;
  } catch {
    // fall through
  }
  return `The test report at ${path} is not a complete vitest JSON report.`;
}

const report = readReport(reportPath);
if (typeof report === 'string') {
  console.log(report);
  process.exit(1);
}

const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} skipped (a skipped test's title gives its reason)`);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed`);
