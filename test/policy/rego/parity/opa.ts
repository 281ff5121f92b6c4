/**
 * The real OPA as a test oracle: found via OPA_BIN, else `opa` on PATH, else /root/go/bin/opa.
 * Suites that need it call `findOpa()` and skip with the printed reason when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface OpaFound {
  bin?: string;
  reason?: string;
}

let found: OpaFound | undefined;

/** Locate the opa binary once; `reason` says why it is missing. */
export function findOpa(): OpaFound {
  if (found) return found;
  const tried: string[] = [];
  const candidates: string[] = [];
  if (process.env.OPA_BIN) candidates.push(process.env.OPA_BIN);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'opa'));
  candidates.push('/root/go/bin/opa');
  for (const c of candidates) {
    tried.push(c);
    if (!existsSync(c)) continue;
    const r = spawnSync(c, ['version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) {
      found = { bin: c };
      return found;
    }
  }
  found = { reason: `opa not found (set OPA_BIN, put opa on PATH, or go install github.com/open-policy-agent/opa@v1.22.3); tried ${tried.length} paths` };
  return found;
}

/** Print why an OPA-backed suite is skipped (once per suite). */
export function skipReason(suite: string): string | undefined {
  const f = findOpa();
  if (f.bin) return undefined;
  console.warn(`[${suite}] skipped: ${f.reason}`);
  return f.reason;
}

/** The outcome of one evaluation, reduced to what both engines must agree on. */
export type Outcome = { defined: false } | { defined: true; value: unknown } | { error: string; message: string };

/** Run `opa eval --format json` with the given module files, query and optional input. */
export function opaEval(modules: Record<string, string>, query: string, input?: unknown, extra: string[] = []): Outcome {
  const bin = findOpa().bin;
  if (!bin) throw new Error('opa not available');
  const dir = mkdtempSync(join(tmpdir(), 'opa-oracle-'));
  try {
    const args = ['eval', '--format', 'json', ...extra];
    for (const [name, text] of Object.entries(modules)) {
      writeFileSync(join(dir, name), text);
      args.push('-d', join(dir, name));
    }
    if (input !== undefined) {
      writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
      args.push('-i', join(dir, 'input.json'));
    }
    args.push(query);
    const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000, cwd: dir });
    return outcomeOf(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reduce `opa eval --format json` output (also maestro's) to an Outcome of the first expression. */
export function outcomeOf(stdout: string): Outcome {
  const out = JSON.parse(stdout) as { result?: Array<{ expressions: Array<{ value: unknown }> }>; errors?: Array<{ code: string; message: string }> };
  if (out.errors && out.errors.length > 0) return { error: out.errors[0]!.code, message: out.errors[0]!.message };
  const r = out.result?.[0];
  if (!r) return { defined: false };
  return { defined: true, value: r.expressions[0]!.value };
}
