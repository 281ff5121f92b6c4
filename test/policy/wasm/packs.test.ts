// The shipped packs compiled by the real `opa build -t wasm` and evaluated through
// @open-policy-agent/opa-wasm (src/policy/wasm) decide exactly as the interpreter does: the whole
// package document on every annotated example, and every test_* rule of the packs' own tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/core/context.js';
import { createRegoEvaluator } from '../../../src/policy/evaluator.js';
import { stringifyJson } from '../../../src/policy/json-text.js';
import { annotationsOf, listPackDirs, type Pack, packData, readPack } from '../../../src/policy/packs/index.js';
import { compile, listRules } from '../../../src/policy/rego/index.js';
import { loadWasmEvaluator } from '../../../src/policy/wasm/wasm-evaluator.js';
import { noteSkip, opa, opaBin, repoRoot } from '../opa.js';

noteSkip('wasm/packs.test');
const ctx = createContext({ env: { MAESTRO_HOME: '/nonexistent-maestro-home' }, cwd: repoRoot });
const packs: Pack[] = listPackDirs(ctx)
  .filter((p) => p.origin === 'shipped')
  .map((r) => readPack(r.dir, r.origin, repoRoot));

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(v)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

describe('shipped packs compiled to Wasm', () => {
  it('there are packs with examples to compare', () => {
    expect(packs.length).toBeGreaterThanOrEqual(6);
    for (const p of packs) expect(annotationsOf(p).examples.length, p.meta.id).toBeGreaterThan(0);
  });

  for (const pack of packs) {
    it.skipIf(opaBin === undefined)(`${pack.meta.id}: the Wasm policy equals the interpreter on every example and every test rule`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-wasm-'));
      const pkg = pack.meta.package.split('.');
      const files = ['policy.rego', 'policy_test.rego'].map((f) => join(pack.dir, f));
      const modules = files.map((f) => ({ path: f, text: pack.files.get(f.slice(pack.dir.length + 1))!.toString('utf8') }));
      const policy = compile(modules);
      const slash = (path: string): string =>
        path
          .split('.')
          .filter((k, i) => !(i === 0 && k === 'data'))
          .join('/');
      const tests = listRules(policy)
        .filter((r) => r.name.startsWith('test_'))
        .map((r) => slash(r.path));
      // Every rule of the pack's package that is not a function (a function is no entrypoint).
      const functions = new Set(policy.compiled.rules.filter((r) => r.kind === 'function').map((r) => r.loc.row));
      const decisions = listRules(policy)
        .filter((r) => slash(r.path).startsWith(`${pkg.join('/')}/`) && !functions.has(r.location.row) && !r.location.file.endsWith('_test.rego'))
        .map((r) => slash(r.path));
      expect(tests.length, 'the pack has tests').toBeGreaterThan(0);
      expect(decisions).toContain(`${pkg.join('/')}/deny`);
      const out = join(dir, 'bundle.tar.gz');
      let entrypoints = [...new Set([...decisions, ...tests])];
      let built = opa(['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', out, ...files]);
      if (built.status !== 0) {
        // OPA's Wasm planner refuses some entrypoints (e.g. a rule reading data.maestro.config[...] next
        // to a function in the package); drop only those, say so, and keep deny and the tests.
        const refused = entrypoints.filter((e) => opa(['build', '-t', 'wasm', '-e', e, '-o', join(dir, 'probe.tar.gz'), ...files]).status !== 0);
        console.log(`[wasm/packs.test] ${pack.meta.id}: opa build -t wasm refuses entrypoints ${refused.join(', ')}: ${built.stdout.split('\n')[0]}`);
        expect(refused).not.toContain(`${pkg.join('/')}/deny`);
        entrypoints = entrypoints.filter((e) => !refused.includes(e));
        built = opa(['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', e]), '-o', out, ...files]);
      }
      expect(built.status, built.stdout + built.stderr).toBe(0);
      const sets = new Set(
        listRules(policy)
          .filter((r) => policy.compiled.rules.some((c) => c.kind === 'multi' && c.loc.row === r.location.row && c.loc.file === r.location.file))
          .map((r) => slash(r.path)),
      );
      // Sets come out of Wasm in the engine's internal order, of the interpreter sorted: compare as sets.
      const norm = (ep: string, v: unknown): unknown => (sets.has(ep) && Array.isArray(v) ? [...v].map((x) => stringifyJson(x)).sort() : v);
      const baseData = packData([{ pack, config: undefined }]) as unknown as Record<string, unknown>;
      const rego = createRegoEvaluator(files, { data: baseData });
      const wasm = await loadWasmEvaluator(out, { data: baseData });
      expect(wasm.engine).toBe('wasm');
      expect(wasm.entrypoints()).toEqual([...entrypoints].sort());
      for (const ex of annotationsOf(pack).examples) {
        const data = deepMerge(baseData, ex.data ?? {});
        const r = ex.data ? createRegoEvaluator(files, { data }) : rego;
        const w = ex.data ? await loadWasmEvaluator(out, { data }) : wasm;
        for (const d of decisions.filter((e) => entrypoints.includes(e))) {
          expect(norm(d, w.evaluate(d, ex.input)), `${d} on the example at policy.rego:${ex.line}`).toEqual(norm(d, r.evaluate(d, ex.input)));
        }
      }
      // Tests run as `policy test` runs them: no data beyond the modules, no input.
      const bareRego = createRegoEvaluator(files);
      const bareWasm = await loadWasmEvaluator(out);
      for (const t of tests) {
        const expected = bareRego.evaluate(t, undefined);
        expect(bareWasm.evaluate(t, undefined), t).toEqual(expected);
        expect(expected, `${t} passes in the interpreter`).toBe(true);
      }
    });
  }
});
