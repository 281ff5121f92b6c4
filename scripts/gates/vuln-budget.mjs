#!/usr/bin/env node
// CVE budget (spec §11): critical = 0, high <= 3, each high justified in security/vuln-justifications.yaml
// with an expiry date. Reads `npm audit --json` (run here, or --input FILE). Exit 0 pass, 1 fail,
// 3 unavailable (the advisory service could not be reached: nothing was verified, and it says so).
// Expired or malformed justifications fail even when the service is unavailable.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const justFile = opt('--justifications') ?? 'security/vuln-justifications.yaml';
const today = opt('--today') ?? new Date().toISOString().slice(0, 10);
const HIGH_BUDGET = 3;

function loadJustifications() {
  const doc = parse(readFileSync(justFile, 'utf8')) ?? {};
  const list = doc.justifications ?? [];
  if (!Array.isArray(list)) throw new Error(`${justFile}: "justifications" must be a list`);
  const problems = [];
  const live = new Map();
  list.forEach((j, i) => {
    const where = `${justFile}: justifications[${i}]`;
    for (const k of ['id', 'package', 'reason', 'expires']) if (!j?.[k]) problems.push(`${where} has no "${k}"`);
    const exp = String(j?.expires ?? '');
    if (j?.expires && !/^\d{4}-\d{2}-\d{2}$/.test(exp)) problems.push(`${where}: expires "${exp}" is not an ISO date (YYYY-MM-DD)`);
    else if (j?.expires && exp < today) problems.push(`${where} (${j.id}) expired on ${exp}: re-review it or upgrade ${j.package}`);
    else if (j?.id) live.set(String(j.id), j);
  });
  return { problems, live };
}

function readAudit() {
  const input = opt('--input');
  const text = input ? readFileSync(input, 'utf8') : spawnSync('npm', ['audit', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  try {
    return JSON.parse(text);
  } catch {
    return { error: { summary: 'npm audit printed no JSON' } };
  }
}

/** Advisory ids (GHSA or URL) behind a vulnerable package, following `via` to the advisories themselves. */
function advisoryIds(v) {
  return (v.via ?? []).filter((x) => typeof x === 'object').map((x) => String(x.url ?? x.source ?? x.name).replace(/^https:\/\/github\.com\/advisories\//, ''));
}

const { problems, live } = loadJustifications();
const audit = readAudit();
const unavailable = audit.error || audit.statusCode || !audit.metadata;
if (unavailable) {
  const why = audit.message ?? audit.error?.summary ?? 'no audit metadata';
  for (const p of problems) console.error(`vuln-budget: ${p}`);
  if (problems.length) {
    console.log(`vuln-budget: FAIL (${problems.length} justification problem(s); advisory service unavailable too: ${why})`);
    process.exit(1);
  }
  console.log(`vuln-budget: UNAVAILABLE (advisory service unreachable, nothing verified: ${why})`);
  process.exit(3);
}
const vulns = Object.values(audit.vulnerabilities ?? {});
const critical = vulns.filter((v) => v.severity === 'critical');
const high = vulns.filter((v) => v.severity === 'high');
for (const v of critical)
  problems.push(`critical advisory in ${v.name} (${advisoryIds(v).join(', ') || `via ${v.via.join(', ')}`}): critical is never accepted; upgrade or remove it`);
for (const v of high) {
  const ids = advisoryIds(v);
  const covered = ids.length > 0 ? ids.every((id) => live.has(id)) : live.has(v.name);
  if (!covered) problems.push(`high advisory in ${v.name} (${ids.join(', ') || `via ${v.via.join(', ')}`}) has no live justification in ${justFile}`);
}
if (high.length > HIGH_BUDGET) problems.push(`${high.length} high advisories exceed the budget of ${HIGH_BUDGET}`);
for (const p of problems) console.error(`vuln-budget: ${p}`);
const counts = `critical ${critical.length}/0, high ${high.length}/${HIGH_BUDGET}`;
console.log(problems.length ? `vuln-budget: FAIL (${counts}; ${problems.length} problem(s))` : `vuln-budget: pass (${counts})`);
process.exit(problems.length ? 1 : 0);
