/**
 * `maestro doctor`: can the main job (a sandboxed, measured, signed run) work on this host and in
 * this state home? Every check says what it found and, when it fails, how to fix it. Read-only:
 * nothing is created (a missing state home is reported, not made).
 * @example const report = runDoctor(ctx); if (!report.ok) process.exitCode = 1;
 */
import { existsSync, mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Context } from '../core/context.js';
import { listKeys, loadSigningKey } from '../receipts/index.js';
import { probeIsolation } from '../runner/index.js';
import { checkDatabase, databaseUrlOf, dbPath } from '../store/index.js';
import { type Probe, probeGnuTime } from './probes.js';

export type { Probe } from './probes.js';

export interface DoctorCheck extends Probe {
  /** A failed required check means runs cannot work here; an optional one only weakens them. */
  required: boolean;
  group: 'isolation' | 'tools' | 'state' | 'host';
}

export interface DoctorReport {
  ok: boolean;
  home: string;
  checks: DoctorCheck[];
}

/**
 * Layers a run cannot do without; landlock and apparmor are defence in depth. Without cgroups the
 * runs of tenants that require the sandbox (the default) are refused (ADR 0017).
 */
const REQUIRED_LAYERS = new Set(['bubblewrap', 'user namespaces', 'seccomp', 'cgroups']);
/** Free space below this fails the disk check. */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;

export function runDoctor(ctx: Pick<Context, 'home' | 'env' | 'clock'>): DoctorReport {
  // The runner's own probes (src/runner/isolation.ts): the same checks a run depends on.
  const isolation = probeIsolation(ctx.env);
  const cgroups = isolation.find((l) => l.name === 'cgroups')?.ok === true;
  const checks: DoctorCheck[] = [
    ...isolation.map((p) => ({ ...p, required: REQUIRED_LAYERS.has(p.name), group: 'isolation' as const })),
    // GNU time measures CPU and peak RSS only where no cgroup does.
    { ...probeGnuTime(), required: !cgroups, group: 'tools' },
    { ...checkKeys(ctx), required: true, group: 'state' },
    { ...checkDb(ctx), required: true, group: 'state' },
    { ...checkDisk(ctx.home), required: true, group: 'host' },
    { ...checkClock(ctx), required: true, group: 'host' },
  ];
  return { ok: checks.every((c) => c.ok || !c.required), home: ctx.home, checks };
}

function checkKeys(ctx: Pick<Context, 'home'>): Probe {
  if (!existsSync(ctx.home)) return { name: 'keys', ok: true, detail: `no state home yet at ${ctx.home}; a signing key is made on first use` };
  try {
    const keys = listKeys(ctx);
    if (keys.length === 0) return { name: 'keys', ok: false, detail: 'no signing key in the state home', hint: 'maestro keys generate' };
    const key = loadSigningKey(ctx);
    return { name: 'keys', ok: true, detail: `${keys.length} key(s); default ${key.name} (${key.id})` };
  } catch (err) {
    return { name: 'keys', ok: false, detail: (err as Error).message, hint: 'check the files under <home>/keys (mode 0600), or maestro keys generate' };
  }
}

function checkDb(ctx: Pick<Context, 'home' | 'env'>): Probe {
  let url: string | undefined;
  try {
    url = databaseUrlOf(ctx);
  } catch (err) {
    return { name: 'database', ok: false, detail: (err as Error).message, hint: 'fix or unset MAESTRO_DATABASE_URL' };
  }
  if (url) {
    // PostgreSQL (ADR 0028): no file to check; connect and read the schema version.
    const h = checkDatabase(url);
    return h.ok
      ? { name: 'database', ok: true, detail: `PostgreSQL reachable (${h.detail.replace(/^connected to /, '')}), schema version ${h.schemaVersion}` }
      : { name: 'database', ok: false, detail: `PostgreSQL: ${h.detail}`, hint: 'check MAESTRO_DATABASE_URL, that the server runs, and pg_hba.conf' };
  }
  const path = dbPath(ctx.home);
  if (!existsSync(path)) return { name: 'database', ok: true, detail: `no database yet at ${path}; created on first use` };
  const h = checkDatabase(path);
  return h.ok
    ? { name: 'database', ok: true, detail: `integrity ok, schema version ${h.schemaVersion}` }
    : { name: 'database', ok: false, detail: `integrity check failed: ${h.detail}`, hint: `restore a backup (maestro restore) or move ${path} aside` };
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

function checkDisk(home: string): Probe {
  const at = nearestExisting(home);
  try {
    const s = statfsSync(at);
    const free = Number(s.bavail) * Number(s.bsize);
    const mib = (free / 1024 / 1024).toFixed(0);
    return free >= MIN_FREE_BYTES
      ? { name: 'disk space', ok: true, detail: `${mib} MiB free at ${at}` }
      : {
          name: 'disk space',
          ok: false,
          detail: `only ${mib} MiB free at ${at} (need ${MIN_FREE_BYTES / 1024 / 1024} MiB)`,
          hint: 'free space, or point MAESTRO_HOME at a larger filesystem',
        };
  } catch (err) {
    return { name: 'disk space', ok: false, detail: `cannot stat ${at}: ${(err as Error).message}`, hint: 'check MAESTRO_HOME' };
  }
}

/** The clock is plausible (after 2024) and agrees with the filesystem's timestamps within 60 s. */
function checkClock(ctx: Pick<Context, 'clock'>): Probe {
  const now = ctx.clock.now();
  if (now < Date.UTC(2024, 0, 1))
    return {
      name: 'clock',
      ok: false,
      detail: `system time ${new Date(now).toISOString()} is before 2024`,
      hint: 'set the clock (timedatectl set-ntp true); receipts and tokens carry times',
    };
  const dir = mkdtempSync(join(tmpdir(), 'maestro-doctor-'));
  try {
    writeFileSync(join(dir, 'probe'), '');
    const skew = Math.abs(statSync(join(dir, 'probe')).mtimeMs - now);
    return skew <= 60_000
      ? { name: 'clock', ok: true, detail: `${new Date(now).toISOString()} (filesystem agrees within ${Math.round(skew)} ms)` }
      : {
          name: 'clock',
          ok: false,
          detail: `the filesystem's clock differs by ${Math.round(skew / 1000)} s`,
          hint: 'synchronise the clocks (NTP) of this host and its file server',
        };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
