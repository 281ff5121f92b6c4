/**
 * A small unified diff (LCS over lines, bounded): what `policy fmt --diff` prints.
 */

/** Lines beyond which the diff is one hunk replacing the whole file (bounded work). */
const MAX_LINES = 4000;

/**
 * @example unifiedDiff('a.rego', 'x = 1\n', 'x := 1\n')
 */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = a.length * b.length > (MAX_LINES * MAX_LINES) / 4 ? replaceAll(a, b) : lcsOps(a, b);
  const out = [`--- ${file}`, `+++ ${file} (formatted)`];
  const context = 3;
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.op === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end]!.op !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.op === ' ') run++;
      if (run > 2 * context || end + run >= ops.length) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.find((o) => o.a !== undefined)?.a ?? 0;
    const bStart = hunk.find((o) => o.b !== undefined)?.b ?? 0;
    out.push(`@@ -${aStart + 1},${hunk.filter((o) => o.op !== '+').length} +${bStart + 1},${hunk.filter((o) => o.op !== '-').length} @@`);
    for (const o of hunk) out.push(`${o.op}${o.text}`);
    i = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

interface Op {
  op: ' ' | '-' | '+';
  text: string;
  a?: number;
  b?: number;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [...a.map((text, i): Op => ({ op: '-', text, a: i })), ...b.map((text, j): Op => ({ op: '+', text, b: j }))];
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) ops.push({ op: ' ', text: a[i]!, a: i++, b: j++ });
    else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) ops.push({ op: '-', text: a[i]!, a: i++ });
    else ops.push({ op: '+', text: b[j]!, b: j++ });
  }
  while (i < n) ops.push({ op: '-', text: a[i]!, a: i++ });
  while (j < m) ops.push({ op: '+', text: b[j]!, b: j++ });
  return ops;
}
