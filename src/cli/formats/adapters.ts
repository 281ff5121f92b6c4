/** Engine results → CaseReport, one adapter per command. Pure functions over plain data. */
import type { ManifestDiagnostic } from '../../manifest/manifest.types.js';
import type { CaseReport, CaseResult, CaseStatus } from './formats.types.js';

/** `policy test`: one case per test rule, at its file:row:col. */
export function fromPolicyTests(
  results: ReadonlyArray<{
    package: string;
    name: string;
    location: { file: string; row: number; col: number };
    pass: boolean;
    fail?: true;
    skip?: true;
    error?: { message: string; code: string; location?: { file: string; row: number; col: number } };
    duration_ns: number;
    output?: string[];
  }>,
): CaseReport {
  return {
    tool: 'maestro policy test',
    cases: results.map((r) => {
      const status: CaseStatus = r.skip ? 'skip' : r.error ? 'error' : r.pass ? 'pass' : 'fail';
      const at = r.error?.location ?? r.location;
      return {
        suite: r.package,
        name: r.name,
        status,
        ruleId: r.error ? r.error.code : 'policy-test',
        ...(status === 'pass' ? {} : { message: r.error ? r.error.message : r.skip ? 'todo test (not run)' : 'test failed (false or undefined)' }),
        ...(r.output?.length ? { detail: r.output.join('\n') } : {}),
        file: at.file,
        line: at.row,
        column: at.col,
        durationSec: r.duration_ns / 1e9,
      };
    }),
  };
}

/** `manifest validate`: one case per diagnostic, or one passing case for a valid file. */
export function fromManifestValidation(r: { valid: boolean; file: string; diagnostics: ReadonlyArray<ManifestDiagnostic> }): CaseReport {
  const suite = `manifest ${r.file}`;
  if (r.diagnostics.length === 0)
    return { tool: 'maestro manifest validate', cases: [{ suite, name: 'valid', status: 'pass', ruleId: 'manifest', file: r.file }] };
  return {
    tool: 'maestro manifest validate',
    cases: r.diagnostics.map((d) => ({
      suite,
      name: d.field || '(document)',
      status: 'fail',
      ruleId: d.code,
      message: d.message,
      file: d.file,
      line: d.line,
      column: d.column,
    })),
  };
}

/** "policies/budget/policy.rego:48" → file and line. */
function splitLocation(loc: string | null): Pick<CaseResult, 'file' | 'line'> {
  if (!loc) return {};
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(loc);
  return m ? { file: m[1]!, line: Number(m[2]) } : { file: loc };
}

interface DecisionLike {
  action: string;
  reasons: ReadonlyArray<{ pack: string; rule: string; message: string; location: string | null }>;
  warnings: ReadonlyArray<{ pack: string; rule: string; message: string; location: string | null }>;
  packs: ReadonlyArray<{ id: string; verdict: string }>;
}

/** `plan`: every deny reason fails, every warning warns, a pack with neither passes. */
export function fromDecision(d: DecisionLike): CaseReport {
  const suite = `policy ${d.action}`;
  const cases: CaseResult[] = [];
  for (const p of d.packs) {
    const reasons = d.reasons.filter((r) => r.pack === p.id);
    const warnings = d.warnings.filter((r) => r.pack === p.id);
    for (const r of reasons)
      cases.push({ suite, name: `${p.id}.${r.rule}`, status: 'fail', ruleId: `${p.id}/${r.rule}`, message: r.message, ...splitLocation(r.location) });
    for (const r of warnings)
      cases.push({ suite, name: `${p.id}.${r.rule}`, status: 'warn', ruleId: `${p.id}/${r.rule}`, message: r.message, ...splitLocation(r.location) });
    if (reasons.length + warnings.length === 0) {
      const bad = p.verdict === 'deny' || p.verdict === 'refused' || p.verdict === 'error';
      cases.push({ suite, name: p.id, status: bad ? 'fail' : 'pass', ruleId: `${p.id}/verdict`, ...(bad ? { message: `pack ${p.id}: ${p.verdict}` } : {}) });
    }
  }
  // Reasons that name no listed pack (quota, fail-closed errors) still fail the report.
  const known = new Set(d.packs.map((p) => p.id));
  for (const r of d.reasons.filter((x) => !known.has(x.pack)))
    cases.push({ suite, name: `${r.pack}.${r.rule}`, status: 'fail', ruleId: `${r.pack}/${r.rule}`, message: r.message, ...splitLocation(r.location) });
  return { tool: 'maestro plan', cases };
}

interface ExecutionLike {
  id: string;
  status: string;
  reason: string | null;
  manifestPath: string | null;
  tasks: ReadonlyArray<{
    id: string;
    status: string;
    exitCode: number | null;
    reason?: string;
    usage: { wallSec: number | null } | null;
    failure?: { tail: string[] };
  }>;
}

const TASK_STATUS: Record<string, CaseStatus> = { succeeded: 'pass', failed: 'fail', cancelled: 'error', skipped: 'skip', pending: 'skip', running: 'skip' };

/** `run`: one case per task; a failed task carries the last lines of its output. */
export function fromExecution(v: ExecutionLike): CaseReport {
  const suite = `execution ${v.id}`;
  const file = v.manifestPath ?? undefined;
  const where = file ? { file } : {};
  if (v.status === 'denied')
    return { tool: 'maestro run', cases: [{ suite, name: 'admission', status: 'fail', ruleId: 'denied', message: v.reason ?? 'denied by policy', ...where }] };
  return {
    tool: 'maestro run',
    cases: v.tasks.map((t) => {
      const status = TASK_STATUS[t.status] ?? 'error';
      return {
        suite,
        name: t.id,
        status,
        ruleId: `task-${t.status}`,
        ...(status === 'pass' ? {} : { message: t.reason ?? t.status }),
        ...(t.failure?.tail.length ? { detail: t.failure.tail.join('\n') } : {}),
        ...where,
        ...(t.usage?.wallSec != null ? { durationSec: t.usage.wallSec } : {}),
      };
    }),
  };
}

/** `disclose verify`: one case per check, located at the pack file. */
export function fromVerify(r: { pack: string; checks: ReadonlyArray<{ name: string; ok: boolean; detail: string }> }): CaseReport {
  return {
    tool: 'maestro disclose verify',
    cases: r.checks.map((c) => ({
      suite: `disclose ${r.pack}`,
      name: c.name,
      status: c.ok ? 'pass' : 'fail',
      ruleId: `verify-${c.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}`,
      ...(c.ok ? {} : { message: c.detail }),
      file: r.pack,
    })),
  };
}
