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
  // Bounded: the first 10 failures in full, then how many more (the JSON report has them all).
  const MAX_SHOWN = 10;
  let found = 0;
  for (const suite of r.testResults ?? []) {
    const where = relative(process.cwd(), suite.name ?? '?');
    const failed = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    // A file that failed outside any test (import error, hook, unhandled rejection) counts once.
    const entries = failed.length === 0 && suite.status === 'failed' ? [null] : failed;
    for (const t of entries) {
      if (++found > MAX_SHOWN) continue;
      if (t === null) {
        console.log(`  FAILED ${where}: ${firstLines(suite.message ?? '', 6)}`);
        continue;
      }
      const title = [...(t.ancestorTitles ?? []), t.title].join(' > ');
      console.log(`  FAILED ${where} > ${title}`);
      console.log(`    ${firstLines((t.failureMessages ?? []).join('\n'), 8).replaceAll('\n', '\n    ')}`);
    }
  }
  if (found > MAX_SHOWN) console.log(`  ... and ${found - MAX_SHOWN} more failure(s): see ${file}`);
}

function firstLines(text, n) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((l) => !/node_modules|node:internal|<anonymous>/.test(l));
  return lines.slice(0, n).join('\n').slice(0, 1500);
}
