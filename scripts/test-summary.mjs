// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON report.
// With --failures, it then names each failed test (file, title, the first lines of its error), so the
// tail of a CI log says what failed without the whole log.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const args = process.argv.slice(2);
const failures = args.includes('--failures');
const file = args.find((a) => !a.startsWith('--')) ?? 'reports/vitest.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 1 failed (no vitest report was written)');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (failures) {
  let shown = 0;
  for (const suite of r.testResults ?? []) {
    const where = relative(process.cwd(), suite.name ?? '?');
    const failed = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (failed.length === 0 && suite.status === 'failed') {
      // A file that failed outside any test (import error, hook, unhandled rejection).
      console.log(`  FAILED ${where}: ${firstLines(suite.message ?? '', 6)}`);
      shown++;
    }
    for (const t of failed) {
      if (shown >= 10) break;
      const title = [...(t.ancestorTitles ?? []), t.title].join(' > ');
      console.log(`  FAILED ${where} > ${title}`);
      console.log(`    ${firstLines((t.failureMessages ?? []).join('\n'), 8).replaceAll('\n', '\n    ')}`);
      shown++;
    }
  }
}

function firstLines(text, n) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((l) => !/node_modules|node:internal|<anonymous>/.test(l));
  return lines.slice(0, n).join('\n').slice(0, 1500);
}
