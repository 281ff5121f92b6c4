/**
 * Human output of the policy packs room: the catalog, signatures, docs, and decisions (plan's
 * per-pack verdicts, --explain with rules fired and their file:line, status's budget context).
 */
import type { Decision, DocsResult, PackDetail, PackSummary, StatusPolicy } from '../policy/packs/index.js';
import { fields, style, table, usd } from './render.js';

function sigText(s: string): string {
  return s === 'valid' ? style.ok('valid') : s === 'invalid' ? style.bad('INVALID') : style.warn('unsigned');
}

/** `policy packs list`. */
export function renderPackList(rows: PackSummary[]): string {
  if (rows.length === 0) return 'no policy packs';
  const head = ['ID', 'VERSION', 'ENABLED', 'SIGNATURE', 'DIGEST', 'TITLE'];
  return table([head, ...rows.map((p) => [p.id, p.version, p.enabled ? 'yes' : style.dim('no'), sigText(p.signature), p.digest.slice(0, 19), p.title])]);
}

/** `policy packs show`. */
export function renderPackDetail(p: PackDetail): string {
  const info = fields([
    ['id', p.id],
    ['version', p.version],
    ['title', p.title],
    ['summary', p.summary],
    ['package', `data.${p.package}`],
    ['enabled', p.enabled ? 'yes (for your tenant)' : 'no (for your tenant)'],
    ['digest', p.digest],
    ['signature', `${sigText(p.signature)} ${style.dim(p.signatureDetail)}`],
    ['path', p.path],
    ['inputs', p.inputs.join(', ')],
    ...(p.config ? ([['config', JSON.stringify(p.config)]] as Array<[string, string]>) : []),
  ]);
  const rules = table([['RULE', 'DEFINED AT'], ...p.rules.map((r) => [r.name, r.location])]);
  const examples = p.examples.map(
    (e) =>
      `  ${e.deny ? style.bad('deny ') : e.warn ? style.warn('warn ') : style.ok('allow')}  ${JSON.stringify(e.input)}${e.data ? `  data ${JSON.stringify(e.data)}` : ''}`,
  );
  return [info, '', rules, '', style.bold('Examples'), ...examples].join('\n');
}

/** `policy packs sign` / `verify`. */
export function renderPackSignature(r: { id: string; digest: string; signature: string; detail?: string; keyId: string | null; path: string }): string {
  return fields([
    ['pack', r.id],
    ['digest', r.digest],
    ['signature', `${sigText(r.signature)}${r.detail ? ` ${style.dim(r.detail)}` : ''}`],
    ['key', r.keyId ?? '-'],
    ['file', r.path],
  ]);
}

/** `policy packs enable|disable`. */
export function renderPackChoice(r: { id: string; tenant: string; enabled: boolean }): string {
  return `${r.id}: ${r.enabled ? style.ok('enabled') : style.warn('disabled')} for tenant ${r.tenant}`;
}

/** `policy packs docs`. */
export function renderDocs(r: DocsResult, check: boolean): string {
  return r.files.map((f) => `${f.changed ? (check ? style.bad('stale  ') : style.ok('written')) : style.dim('current')}  ${f.path}`).join('\n');
}

/** One line per reason or warning. */
function reasonLines(d: Decision): string[] {
  return [
    ...d.reasons.map((r) => `  ${style.bad('deny')}  ${r.message}  ${style.dim(`[${r.pack}/${r.rule}${r.location ? ` ${r.location}` : ''}]`)}`),
    ...d.warnings.map((r) => `  ${style.warn('warn')}  ${r.message}  ${style.dim(`[${r.pack}/${r.rule}${r.location ? ` ${r.location}` : ''}]`)}`),
  ];
}

/**
 * A decision for `plan` (each pack's verdict) and, with `explain`, the rules that fired with their
 * values and file:line, and the budget context.
 */
export function renderDecision(d: Decision, explain = false): string {
  const verdict = d.outcome === 'deny' ? style.bad('DENY') : d.outcome === 'warn' ? style.warn('WARN') : style.ok('ALLOW');
  const out = [`${style.bold('Policy')}: ${verdict} ${style.dim(`(${d.packs.length} packs, ${d.evalMs.toFixed(2)} ms)`)}`];
  out.push(table([['PACK', 'VERSION', 'SIGNATURE', 'VERDICT'], ...d.packs.map((p) => [p.id, p.version, sigText(p.signature), p.verdict])]));
  out.push(...reasonLines(d));
  if (!explain) return out.join('\n');
  out.push('', style.bold('Rules fired'));
  for (const f of d.explanation.fired) out.push(`  ${f.rule} = ${short(f.value)}  ${style.dim(f.location)}`);
  if (d.explanation.fired.length === 0) out.push('  (none: no rule body matched, so every rule had its default value)');
  const b = d.explanation.budget;
  if (b) {
    out.push('', style.bold('Budget'));
    out.push(
      fields([
        ['cap', usd(b.capUSD)],
        ['spent today', usd(b.spentUSD)],
        ['this estimate', usd(b.estimateUSD)],
        ['projected', `${usd(b.projectedUSD)}${b.projectedPct === null ? '' : ` (${b.projectedPct}% of cap)`}`],
        ['remaining', remaining(b.remainingUSD)],
      ]),
    );
  }
  const q = d.explanation.quota;
  if (q) out.push('', `${style.bold('Quota')}: ${q.inUse}/${q.maxConcurrent} running${q.active.length ? `: ${q.active.join(', ')}` : ''}`);
  return out.join('\n');
}

/** The policy part of `status --explain`: decisions made for the execution and the budget now. */
export function renderStatusPolicy(s: StatusPolicy): string {
  const out = [style.bold('Policy decisions')];
  if (s.decisions.length === 0) out.push('  (none recorded)');
  for (const d of s.decisions) {
    out.push(
      `  ${d.createdAt}  ${d.action}  ${d.outcome.toUpperCase()}  ${style.dim(`${d.evalMs.toFixed(2)} ms, packs ${d.packs.map((p) => `${p.id}@${p.version}`).join(' ')}`)}`,
    );
    out.push(...reasonLines(d).map((l) => `  ${l}`));
    for (const f of d.explanation.fired) out.push(`      ${f.rule} = ${short(f.value)}  ${style.dim(f.location)}`);
  }
  const b = s.budget;
  out.push('', style.bold('Budget today'));
  out.push(
    fields([
      ['cap', usd(b.capUSD)],
      ['spent', usd(b.spentUSD)],
      ['running (estimates)', usd(b.liveEstimatesUSD)],
      ['projected', `${usd(b.projectedUSD)}${b.projectedPct === null ? '' : ` (${b.projectedPct}% of cap)`}`],
      ['remaining', remaining(b.remainingUSD)],
    ]),
  );
  return out.join('\n');
}

function remaining(v: number): string {
  return v >= 0 ? usd(v) : style.bad(`$0.00 (over the cap by ${usd(-v)})`);
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
