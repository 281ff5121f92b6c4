/** Hints name commands that exist; --explain says when a default applied. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

describe('hints', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('disclose export of an unknown execution suggests a command that exists', () => {
    const r = maestro(home, ['disclose', 'export', 'ex_nope']);
    expect(r.code).toBe(5);
    expect(r.stderr).not.toMatch(/executions list/);
    const hint = /hint: [^)]*maestro ([a-z ]+?)(?: --all)?\)/.exec(r.stderr);
    expect(hint, r.stderr).not.toBeNull();
    expect(hint![1]).toBe('status');
    expect(maestro(home, [...hint![1]!.split(' '), '--all']).code).toBe(0);
  });

  it('--explain on a value that came from a default rule says the default applied', () => {
    const dir = join(home, '..', 'rego');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'p.rego'), 'package p\n\ndefault allow := false\n\nallow if input.x == 1\n');
    writeFileSync(join(dir, 'in.json'), '{"x": 2}');
    const r = maestro(home, ['policy', 'eval', '-d', dir, '-i', join(dir, 'in.json'), 'data.p.allow', '--explain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/default value applied/);
    expect(r.stdout).not.toMatch(/no rule produced a value/);
    const undef = maestro(home, ['policy', 'eval', '-d', dir, 'data.p.nothing', '--explain']);
    expect(undef.stdout).toMatch(/undefined/);
  });
});
