/**
 * Running one command under bubblewrap + seccomp (or, only when asked, unsandboxed).
 * See docs/adr/0008-sandbox.md for the design: namespaces, mounts, identity, limits, measurement.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ensureAppArmorProfile, APPARMOR_PROFILE_NAME, type AppArmorStatus } from './apparmor.js';
import { auditOutDir, bytesOf, parseReport } from './audit.js';
import { RunnerError } from './errors.js';
import { forEachLine } from './lines.js';
import { hostArch, type ProfileName } from './profiles.js';
import { bwrapArgs, ETC_FILES, FD, HOST_ETC, HOST_ETC_DIRS, SANDBOX_UID, TIME_BIN, type ArgsLayout } from './sandbox-args.js';
import { compileSeccomp } from './seccomp.js';
import type { SandboxIO, SandboxSpec, TaskOutcome } from './sandbox.types.js';

export const BWRAP_INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install -y bubblewrap), or run with --sandbox none to run unsandboxed';

let bwrapPath: string | null | undefined;

/** The bwrap binary on PATH, or null. */
export function findBwrap(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  const dirs = (env.PATH ?? '/usr/bin:/bin').split(':');
  bwrapPath = dirs.map((d) => join(d, 'bwrap')).find((p) => existsSync(p)) ?? null;
  return bwrapPath;
}

/** Throws the install hint when bwrap is missing. */
export function requireBwrap(): string {
  const p = findBwrap();
  if (!p) {
    throw new RunnerError('SANDBOX_UNAVAILABLE', 'bubblewrap (bwrap) is not installed, so tasks cannot be sandboxed', { hint: BWRAP_INSTALL_HINT });
  }
  return p;
}

/** Writes the generated /etc and the seccomp programs under runtimeDir (idempotent). */
function prepareRuntime(runtimeDir: string, profile: ProfileName, network: boolean): { etcDir: string; seccompFile: string } {
  const etcDir = join(runtimeDir, 'etc');
  if (!existsSync(join(etcDir, 'alternatives'))) {
    mkdirSync(etcDir, { recursive: true, mode: 0o755 });
    for (const [name, text] of Object.entries(ETC_FILES)) writeFileSync(join(etcDir, name), text, { mode: 0o644 });
    // Mount points for the host files bound over them (see HOST_ETC).
    for (const name of HOST_ETC) {
      if (HOST_ETC_DIRS.includes(name)) mkdirSync(join(etcDir, name), { recursive: true, mode: 0o755 });
      else writeFileSync(join(etcDir, name), '', { mode: 0o644 });
    }
  }
  const arch = hostArch();
  const seccompFile = join(runtimeDir, `seccomp-${profile}-${arch}-${network ? 'net' : 'nonet'}.bpf`);
  if (!existsSync(seccompFile)) {
    const tmp = `${seccompFile}.${process.pid}.tmp`;
    writeFileSync(tmp, compileSeccomp({ profile, arch, network }));
    // rename is atomic: concurrent runners never read a half-written program.
    spawnSync('mv', ['-f', tmp, seccompFile]);
  }
  return { etcDir, seccompFile };
}

let appArmorStatus: AppArmorStatus | undefined;

/**
 * Runs `spec.command` in a fresh sandbox and resolves with what happened (never rejects for a task
 * failure; rejects only when the sandbox itself cannot be set up).
 * @example
 *   const o = await runSandboxed({ command: 'echo hi', outDir, env: {}, network: false, resources, mode: 'bwrap', runtimeDir }, { line: (s, l) => console.log(s, l) });
 */
export async function runSandboxed(spec: SandboxSpec, io: SandboxIO): Promise<TaskOutcome> {
  mkdirSync(spec.outDir, { recursive: true, mode: 0o755 });
  if (spec.mode === 'none') return runUnsandboxed(spec, io);
  const bwrap = requireBwrap();
  const profile = spec.profile ?? 'default';
  const { etcDir, seccompFile } = prepareRuntime(spec.runtimeDir, profile, spec.network);
  appArmorStatus ??= ensureAppArmorProfile();
  const identity = process.getuid?.() === 0 ? 'mapped' : 'user';
  if (identity === 'mapped') {
    chownSync(spec.outDir, SANDBOX_UID, SANDBOX_UID);
    const note = workspaceNote(spec.workspace);
    if (note) await io.line('stderr', note);
  }
  const layout: ArgsLayout = { identity, etcDir, haveTime: existsSync(TIME_BIN), ...(appArmorStatus === 'enforced' ? { appArmorProfile: APPARMOR_PROFILE_NAME } : {}) };
  const seccompFd = openSync(seccompFile, 'r');
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(bwrap, bwrapArgs(spec, layout), {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', seccompFd, 'pipe', 'pipe', identity === 'mapped' ? 'pipe' : 'ignore'],
      env: { PATH: '/usr/bin:/bin' },
    });
  } finally {
    closeSync(seccompFd);
  }
  if (identity === 'mapped') mapIdentityWhenReady(child);
  const reportChunks: Buffer[] = [];
  (child.stdio[FD.report] as Readable).on('data', (c: Buffer) => reportChunks.push(c));
  const result = await supervise(child, spec, io);
  const wallSec = Math.round((Date.now() - started) / 1000 * 1000) / 1000;
  const report = parseReport(Buffer.concat(reportChunks));
  const outWrites = await auditOutDir(spec.outDir);
  const writes = [...report.tmpWrites, ...outWrites];
  return {
    ...result,
    usage: { cpuSec: report.cpuSec, peakRssMB: report.peakRssMB, wallSec, bytesWritten: bytesOf(writes) },
    writes,
    sandbox: 'bwrap',
    apparmor: appArmorStatus,
    seccomp: { profile, arch: hostArch() },
  };
}

/** A warning when the task (uid 65534, no capabilities) will not be able to read its workspace. */
function workspaceNote(workspace: string | undefined): string | null {
  if (!workspace) return null;
  try {
    const st = statSync(workspace);
    if ((st.mode & 0o005) === 0o005 || st.uid === SANDBOX_UID) return null;
  } catch {
    return `maestro: warning: the workspace ${workspace} does not exist`;
  }
  return `maestro: warning: the workspace ${workspace} is not readable by the sandbox user (uid ${SANDBOX_UID}); make it readable with: chmod o+rx ${workspace}`;
}

/** Root hosts: once bwrap reports its child, map 0→0 and 65534→65534 in its user namespace and release it. */
function mapIdentityWhenReady(child: ChildProcess): void {
  let buf = '';
  const stdio = child.stdio as unknown as Array<Readable & Writable>;
  const info: Readable = stdio[FD.info]!;
  const block: Writable = stdio[FD.block]!;
  block.on('error', () => undefined);
  info.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /"child-pid"\s*:\s*(\d+)/.exec(buf);
    if (!m || buf === '') return;
    buf = '';
    try {
      const map = `0 0 1\n${SANDBOX_UID} ${SANDBOX_UID} 1\n`;
      writeFileSync(`/proc/${m[1]}/uid_map`, map);
      writeFileSync(`/proc/${m[1]}/gid_map`, map);
      block.end('1');
    } catch {
      // The child died before we could map it: closing the block fd lets bwrap fail and exit.
      block.destroy();
    }
  });
}

interface Supervised {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  reason?: string;
}

/** Streams output, enforces the timeout and cancellation by killing the process group, waits for exit. */
export async function supervise(child: ChildProcess, spec: SandboxSpec, io: SandboxIO): Promise<Supervised> {
  let timedOut = false;
  let cancelled = false;
  const killTree = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  if (child.pid) io.started?.(child.pid);
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, Math.max(1, spec.resources.timeoutSec) * 1000);
  const onAbort = (): void => {
    cancelled = true;
    killTree();
  };
  if (spec.signal?.aborted) onAbort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const lines = Promise.all([
    forEachLine(child.stdout!, (l) => io.line('stdout', l)),
    forEachLine(child.stderr!, (l) => io.line('stderr', l)),
  ]);
  const [r] = await Promise.all([exited, lines]);
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  if (r.error) throw new RunnerError('SANDBOX_SPAWN_FAILED', `cannot start the task: ${r.error.message}`, { cause: r.error });
  const reason = timedOut ? `timed out after ${spec.resources.timeoutSec}s (the whole sandbox was killed)` : cancelled ? 'cancelled' : undefined;
  return { exitCode: r.code, signal: r.signal, timedOut, cancelled, ...(reason ? { reason } : {}) };
}

/** --sandbox none: the host shell, cleared environment, cwd = workspace, output dir in MAESTRO_OUT. */
async function runUnsandboxed(spec: SandboxSpec, io: SandboxIO): Promise<TaskOutcome> {
  const started = Date.now();
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: spec.outDir, MAESTRO_OUT: spec.outDir, ...spec.env };
  const child = spawn('/bin/sh', ['-c', spec.command], { cwd: spec.workspace ?? spec.outDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = await supervise(child, spec, io);
  const writes = await auditOutDir(spec.outDir);
  const wallSec = Math.round(Date.now() - started) / 1000;
  return { ...result, usage: { cpuSec: null, peakRssMB: null, wallSec, bytesWritten: bytesOf(writes) }, writes, sandbox: 'none', apparmor: 'unavailable', seccomp: null };
}
