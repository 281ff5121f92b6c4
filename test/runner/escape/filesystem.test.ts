/** Escape attempts against the filesystem view: every one must fail inside, and work on the host. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`escape: filesystem${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  beforeAll(() => {
    p = buildProbe();
  });
  afterAll(() => p?.cleanup());

  it('cannot write to /workspace (read-only bind); the host can', async () => {
    const r = await inSandbox(p, '/workspace/probe write /workspace/pwned');
    expect(r.stdout).toBe('errno EROFS');
    expect(existsSync(join(p.workspace, 'pwned'))).toBe(false);
    expect(onHost(p, ['write', join(p.workspace, 'control')])).toBe('ok 6');
  });

  it('cannot read /etc/shadow (a generated /etc without it); the host can', async () => {
    const r = await inSandbox(p, '/workspace/probe read /etc/shadow; ls /etc');
    expect(r.stdout.split('\n')[0]).toBe('errno ENOENT');
    expect(r.stdout).toContain('passwd');
    if (process.getuid?.() === 0) expect(onHost(p, ['read', '/etc/shadow'])).toMatch(/^ok \d+$/);
  });

  it("cannot read files under the host's home; the host can", async () => {
    const dir = mkdtempSync(join(homedir(), '.maestro-escape-'));
    try {
      const secret = join(dir, 'secret.txt');
      writeFileSync(secret, 'secret\n');
      const r = await inSandbox(p, `/workspace/probe read ${secret}`);
      expect(r.stdout).toBe('errno ENOENT');
      expect(onHost(p, ['read', secret])).toBe('ok 7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as uid/gid 65534 with every capability dropped, so root-owned host files stay closed', async () => {
    const r = await inSandbox(
      p,
      'id -u; id -g; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | awk "{print \\$2}" | sort -u; /workspace/probe write /out/../usr/pwned',
    );
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['65534', '65534', '0000000000000000']);
    expect(lines[3]).toMatch(/^errno (EROFS|EACCES)$/);
    if (process.getuid?.() === 0) {
      // The control: the same uid-0 host process can write a root-owned 0600 file.
      const f = join(p.root, 'root-only');
      writeFileSync(f, 'x', { mode: 0o600 });
      expect(onHost(p, ['write', f])).toBe('ok 6');
      const inside = await inSandbox(p, 'cat /proc/self/uid_map');
      expect(inside.stdout).not.toMatch(/^\s*65534\s+0\s+1/m);
    }
  });

  it('cannot write to the host through /proc/1/root; the host can', async () => {
    const target = join(p.root, 'via-proc1');
    const r = await inSandbox(p, `/workspace/probe write /proc/1/root${target}`);
    expect(r.stdout).toMatch(/^errno (EACCES|ENOENT)$/);
    expect(existsSync(target)).toBe(false);
    // Control: the same magic link of a host process (host pid 1 may be off limits in CI containers).
    expect(onHost(p, ['write', `/proc/${process.pid}/root${target}`])).toBe('ok 6');
    expect(readFileSync(target, 'utf8')).toBe('pwned\n');
  });

  it('cannot write to the host through a symlink (workspace link or one made in /out); the host can', async () => {
    const hostDir = join(p.root, 'host-target');
    symlinkSync(hostDir, join(p.workspace, 'escape-link'));
    const r = await inSandbox(p, `/workspace/probe write /workspace/escape-link/pwned; ln -s ${hostDir} /out/link && /workspace/probe write /out/link/pwned`);
    expect(r.stdout.split('\n')).toEqual(['errno ENOENT', 'errno ENOENT']);
    expect(existsSync(join(hostDir, 'pwned'))).toBe(false);
    mkdirSync(hostDir); // the control needs the link's target to exist on the host
    expect(onHost(p, ['write', join(p.workspace, 'escape-link', 'pwned')])).toBe('ok 6');
  });

  it('cannot fill /tmp past its limit (ENOSPC); the host can write the same amount', async () => {
    const r = await inSandbox(p, 'head -c 9000000 /dev/zero > /tmp/fill; echo "rc=$?"; du -k /tmp/fill | cut -f1', { tmpMB: 4 });
    expect(r.stderr).toContain('No space left on device');
    const [rc, kb] = r.stdout.split('\n');
    expect(rc).toBe('rc=1');
    expect(Number(kb)).toBeLessThanOrEqual(4096);
    const big = join(p.root, 'fill');
    writeFileSync(big, Buffer.alloc(9_000_000));
    expect(readFileSync(big).length).toBe(9_000_000);
  });
});
