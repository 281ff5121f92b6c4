/** "Did you mean" suggestions: optimal string alignment distance plus a few common aliases. */

/** Field names people bring from other tools, mapped to ours. */
const ALIASES: Record<string, string> = {
  depends_on: 'needs',
  dependsOn: 'needs',
  depends: 'needs',
  after: 'needs',
  command: 'run',
  script: 'run',
  cmd: 'run',
  name: 'id',
  environment: 'env',
  timeout: 'timeoutSec',
  memory: 'memoryMB',
  mem: 'memoryMB',
  cpus: 'cpu',
  limits: 'resources',
  class: 'resourceClass',
  api_version: 'apiVersion',
  apiversion: 'apiVersion',
};

/** Edit distance where swapping two adjacent characters costs 1 ("biuld" → "build" is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough.
 * @example suggest('biuld', ['build', 'test']) // 'build'
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const alias = ALIASES[input];
  if (alias !== undefined && candidates.includes(alias)) return alias;
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(1, Math.floor(input.length / 3));
  if (best !== undefined && bestDistance <= limit && bestDistance < input.length) return best;
  // A prefix of a longer name ("timeout" → "timeoutSec", "memory" → "memoryMB").
  if (lower.length >= 3) return candidates.find((c) => c.toLowerCase().startsWith(lower));
  return undefined;
}

/** " (did you mean "x"?)" or "". */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const s = suggest(input, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}
