/** The pipeline's hook seams, in-process against a real store and real sandboxes. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/core/context.js';
import { type ExecutionHooks, runManifest } from '../../src/runner/execute.js';
import type { ExecutionRecord } from '../../src/runner/record.js';
import { openSession, type Session } from '../../src/tenancy/index.js';
import { writeManifest } from './e2e-helpers.js';
import { unavailableReason } from './escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`execution hooks${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let root: string;
  let session: Session;
  let manifest: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'maestro-hooks-'));
    const home = join(root, 'home');
    session = await openSession(createContext({ env: { MAESTRO_HOME: home, USER: 'tester' }, home }));
    manifest = writeManifest(root, 'hooked', [
      { id: 'a', run: 'echo hi' },
      { id: 'b', run: 'echo there', needs: ['a'] },
    ]);
  });
  afterAll(() => {
    session?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('plan runs before admission (plan.json, estimate stored); finished gets the final record', async () => {
    const seen: string[] = [];
    let finished: ExecutionRecord | undefined;
    const hooks: ExecutionHooks = {
      plan: async (a) => {
        seen.push(`plan ${a.loaded.manifest.metadata.name} ${a.sandbox}`);
        return { estimatedCostMicros: 1234, plan: { total: 1234 } };
      },
      decide: async (a) => {
        seen.push(`decide ${a.estimatedCostMicros}`);
        return { allow: true, reasons: [], warnings: ['close to budget'], decisions: { ok: true } };
      },
      finished: async (rec, dir) => {
        finished = rec;
        seen.push(`finished ${existsSync(join(dir, 'execution.json'))}`);
      },
    };
    const r = await runManifest(session, { manifestPath: manifest, sandbox: 'bwrap', hooks });
    expect(r.exitCode).toBe(0);
    expect(r.warnings).toEqual(['close to budget']);
    expect(seen).toEqual(['plan hooked bwrap', 'decide 1234', 'finished true']);
    expect(finished?.status).toBe('succeeded');
    expect(r.record.cost.estimatedMicros).toBe(1234);
    expect(JSON.parse(readFileSync(join(r.record.dir!, 'plan.json'), 'utf8'))).toEqual({ total: 1234 });
    expect(JSON.parse(readFileSync(join(r.record.dir!, 'decisions.json'), 'utf8'))).toEqual({ ok: true });
  });

  it('a deny from decide records a denied execution, runs nothing, exit 3', async () => {
    const r = await runManifest(session, {
      manifestPath: manifest,
      sandbox: 'bwrap',
      hooks: { decide: async () => ({ allow: false, reasons: ['budget: over the daily cap'], warnings: [], decisions: { deny: true } }) },
    });
    expect(r.exitCode).toBe(3);
    expect(r.record.status).toBe('denied');
    expect(r.record.reason).toBe('budget: over the daily cap');
    expect(r.record.tasks.map((t) => t.status)).toEqual(['skipped', 'skipped']);
    expect(existsSync(join(r.record.dir!, 'logs', 'a.ndjson'))).toBe(false);
  });
});
