/** probeIsolation: six named layers, each probed for real on this host. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { probeCgroups } from '../../src/runner/cgroup.js';
import { probeIsolation } from '../../src/runner/isolation.js';
import { findBwrap } from '../../src/runner/sandbox.js';

describe('probeIsolation', () => {
  const layers = probeIsolation();
  it('reports the six layers in order, each with a detail and a hint when not ok', () => {
    expect(layers.map((l) => l.name)).toEqual(['bubblewrap', 'user namespaces', 'seccomp', 'cgroups', 'landlock', 'apparmor']);
    for (const l of layers) {
      expect(typeof l.ok).toBe('boolean');
      expect(l.detail.length).toBeGreaterThan(0);
      if (!l.ok) expect(l.hint, l.name).toBeTruthy();
    }
  });
  it('agrees with independent checks: bwrap on PATH, the cgroup probe, the Landlock ABI query', () => {
    const by = new Map(layers.map((l) => [l.name, l]));
    expect(by.get('bubblewrap')!.ok).toBe(findBwrap() !== null);
    const cg = probeCgroups().host;
    expect(by.get('cgroups')!.ok).toBe(cg !== null);
    if (cg) expect(by.get('cgroups')!.detail).toMatch(new RegExp(`^v${cg.version}: .*memory`));
    const abi = Number(spawnSync('perl', ['-e', 'print syscall(444, 0, 0, 1)'], { encoding: 'utf8' }).stdout);
    expect(by.get('landlock')!.ok).toBe(abi >= 6);
    if (abi > 0) expect(by.get('landlock')!.detail).toContain(`ABI ${abi}`);
  });
});

describe('maestro doctor --json uses probeIsolation', () => {
  it("its isolation checks are the runner's layers; cgroups is required (runs are refused without it)", async () => {
    const { maestro, tempHome } = await import('../helpers/cli.js');
    const { home, cleanup } = tempHome();
    try {
      const r = maestro(home, ['doctor', '--json']);
      const checks = r
        .json<{ checks: Array<{ name: string; ok: boolean; detail: string; required: boolean; group: string }> }>()
        .checks.filter((c) => c.group === 'isolation');
      const layers = probeIsolation();
      expect(checks.map((c) => [c.name, c.ok])).toEqual(layers.map((l) => [l.name, l.ok]));
      const cg = checks.find((c) => c.name === 'cgroups')!;
      expect(cg.required).toBe(true);
      expect(cg.detail).toBe(layers.find((l) => l.name === 'cgroups')!.detail);
    } finally {
      cleanup();
    }
  }, 60_000);
});
