/**
 * Human output of the keys and disclose commands, and export/verify progress: an ink progress bar
 * (bytes, rate, ETA) on a TTY, plain lines on stderr otherwise, nothing at all with --json.
 */
import type { Clock } from '../core/context.js';
import type { ExportResult, ProgressEvent, VerifyResult } from '../disclose/index.js';
import type { TrustedKeyView } from '../engine/keys.js';
import type { KeyInfo } from '../receipts/index.js';
import { bytes, fields, style, table } from './render.js';

/** `keys list` as a table. */
export function renderKeys(keys: KeyInfo[]): string {
  if (keys.length === 0) return 'no keys (run: maestro init, or maestro keys generate)';
  return table([['NAME', 'ID', 'CREATED', 'DEFAULT'], ...keys.map((k) => [k.name, k.id, k.createdAt, k.default ? 'yes' : ''])]);
}

/** The trusted list (keys list). */
export function renderTrustedKeys(keys: TrustedKeyView[]): string {
  if (keys.length === 0) return 'no keys (run: maestro init, or maestro keys generate)';
  return table([
    ['NAME', 'ID', 'CREATED', 'DEFAULT', 'STATUS', 'OWNER'],
    ...keys.map((k) => [
      k.name,
      k.id,
      k.createdAt,
      k.default ? 'yes' : '',
      k.status === 'revoked' ? `revoked ${k.revokedAt} (${k.revokedReason})` : k.status,
      k.owner,
    ]),
  ]);
}

/** A revoked key (keys revoke). */
export function renderRevokedKey(k: TrustedKeyView & { changed: boolean }): string {
  return fields([
    ['id', k.id],
    ['owner', k.owner],
    ['status', k.changed ? 'revoked' : 'already revoked (the first revocation stands)'],
    ['revoked at', k.revokedAt ?? ''],
    ['reason', k.revokedReason ?? ''],
  ]);
}

/** One key (generate). */
export function renderKey(k: KeyInfo): string {
  return fields([
    ['name', k.name],
    ['id', k.id],
    ['algorithm', k.algorithm],
    ['created', k.createdAt],
    ['default', k.default ? 'yes' : 'no'],
    ['public key', k.publicKeyPath],
  ]);
}

export function renderExport(r: ExportResult): string {
  const rows: Array<[string, string]> = [
    ['pack', r.path],
    ['size', `${formatBytes(r.bytes)} (${r.entries} entries, ${formatBytes(r.contentBytes)} of content)`],
    ['sha256', r.sha256],
    ['content hash', r.contentHash],
    ['signed by', r.keyId],
  ];
  if (r.receiptCreated) rows.push(['receipt', 'created now (the execution had none)']);
  if (r.skipped.length > 0) rows.push(['skipped', `${r.skipped.join(', ')} (not regular files)`]);
  if (r.upload)
    rows.push([
      'uploaded',
      `${r.upload.url} (${r.upload.parts} parts${r.upload.resumedParts ? `, ${r.upload.resumedParts} resumed` : ''}, ${r.upload.retries} retries)`,
    ]);
  return fields(rows);
}

export function renderVerify(r: VerifyResult): string {
  const lines = r.checks.map((c) => `${c.ok ? style.ok('✓') : style.bad('✗')} ${c.name}: ${c.detail}`);
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push(
    r.ok ? style.ok(`OK: ${r.pack} verified (${r.checks.length} checks)`) : style.bad(`FAILED: ${failed} of ${r.checks.length} checks failed for ${r.pack}`),
  );
  return lines.join('\n');
}

/** Sizes in IEC units (the one convention of every command's output). */
export const formatBytes = bytes;

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s < 60 ? `${Math.ceil(s)}s` : `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/** bytes, rate and ETA of a progress event, given when its phase started. */
export function describeProgress(e: ProgressEvent, elapsedMs: number): { percent: number; text: string } {
  const percent = e.total > 0 ? Math.min(100, (100 * e.bytes) / e.total) : 100;
  const rate = elapsedMs > 0 ? e.bytes / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (e.total - e.bytes) / rate : Infinity;
  return { percent, text: `${formatBytes(e.bytes)}/${formatBytes(e.total)}  ${formatBytes(rate)}/s  ETA ${formatSeconds(eta)}` };
}

export interface ProgressReporter {
  update(e: ProgressEvent): void;
  done(): Promise<void>;
}

const LABEL: Record<ProgressEvent['phase'], string> = { hash: 'hashing', zip: 'writing', upload: 'uploading', verify: 'verifying' };

/**
 * Pick the progress form: none (--json, a CI format, --quiet), an ink bar when stderr is a TTY whose
 * width is known (at least 60 columns) and TERM is not dumb, otherwise plain lines on stderr (at most
 * one per 10% per phase, whatever the terminal reports).
 */
export async function createProgress(options: {
  json: boolean;
  tty: boolean;
  clock: Clock;
  quiet?: boolean;
  columns?: number;
  term?: string;
}): Promise<ProgressReporter> {
  if (options.json || options.quiet) return { update: () => {}, done: async () => {} };
  const columns = options.columns ?? process.stderr.columns ?? 0;
  const term = options.term ?? process.env.TERM;
  return options.tty && columns >= 60 && term !== 'dumb' ? inkProgress(options.clock, columns) : lineProgress(options.clock);
}

function lineProgress(clock: Clock): ProgressReporter {
  const started = new Map<string, number>();
  const lastStep = new Map<string, number>();
  return {
    update(e) {
      if (!started.has(e.phase)) started.set(e.phase, clock.now());
      const { percent, text } = describeProgress(e, clock.now() - started.get(e.phase)!);
      const step = Math.floor(percent / 10);
      if (step === lastStep.get(e.phase)) return;
      lastStep.set(e.phase, step);
      process.stderr.write(`${LABEL[e.phase]} ${Math.floor(percent)}%  ${text}\n`);
    },
    done: async () => {},
  };
}

async function inkProgress(clock: Clock, columns: number): Promise<ProgressReporter> {
  const [{ render, Text }, React] = await Promise.all([import('ink'), import('react')]);
  const started = new Map<string, number>();
  const view = (e: ProgressEvent | null) => {
    if (!e) return React.createElement(Text, null, '');
    const { percent, text } = describeProgress(e, clock.now() - (started.get(e.phase) ?? clock.now()));
    const line = `${LABEL[e.phase].padEnd(9)} [] 100%  ${text}`;
    const width = Math.max(5, Math.min(30, columns - 1 - line.length));
    const filled = Math.round((percent / 100) * width);
    return React.createElement(
      Text,
      null,
      `${LABEL[e.phase].padEnd(9)} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${percent.toFixed(0).padStart(3)}%  ${text}`,
    );
  };
  const app = render(view(null), { stdout: process.stderr, patchConsole: false, exitOnCtrlC: false });
  let last = 0;
  let latest: ProgressEvent | null = null;
  return {
    update(e) {
      if (!started.has(e.phase)) started.set(e.phase, clock.now());
      latest = e;
      const now = clock.now();
      if (now - last < 100 && e.bytes < e.total) return; // ~10 frames a second
      last = now;
      app.rerender(view(e));
    },
    async done() {
      if (latest) app.rerender(view(latest));
      app.unmount();
      await app.waitUntilExit().catch(() => undefined);
    },
  };
}

/** A pack fetched from a control plane (`disclose export --remote`). */
export function renderFetchedPack(p: { executionId: string; path: string; bytes: number; sha256: string; remote: string | null }): string {
  return fields([
    ['pack', p.path],
    ['size', formatBytes(p.bytes)],
    ['sha256', p.sha256],
    ...(p.remote ? [['from', p.remote] as [string, string]] : []),
    ['verify', `maestro disclose verify ${p.path} --key <server public key> (GET /api/keys)`],
  ]);
}
