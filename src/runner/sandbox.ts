/**
 * Running one command under bubblewrap + seccomp (or, only when asked, unsandboxed).
 * See docs/adr/0008-sandbox.md for the design: namespaces, mounts, identity, limits, measurement.
 */
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepDeadTempsOnce, writeFileAtomicSync } from '../core/files.js';
import { APPARMOR_PROFILE_NAME, type AppArmorStatus, ensureAppArmorProfile } from './apparmor.js';
import { auditOutDir, bytesOf, findSpecialFiles, parseReport } from './audit.js';
import { createTaskCgroup, limitedControllers, probeCgroups, readCgroupUsage, removeTaskCgroup, sweepStaleCgroups, type TaskCgroup } from './cgroup.js';
import { RunnerError } from './errors.js';
import { LANDLOCK_SCOPE_ABI, landlockAbi } from './landlock.js';
import { hostArch, type ProfileName } from './profiles.js';
import type { IsolationRecord, SandboxIO, SandboxSpec, TaskOutcome } from './sandbox.types.js';
import {
  type ArgsLayout,
  bwrapArgs,
  DEFAULT_OUT_MB,
  ETC_FILES,
  envScript,
  HOST_ETC,
  HOST_ETC_DIRS,
  launcherArgv,
  SANDBOX_UID,
  TIME_BIN,
} from './sandbox-args.js';
import { type Launched, type LaunchRequest, launchSandbox } from './sandbox-launch.js';
import { MAX_OUT_ENTRIES, supervise } from './sandbox-supervise.js';
import { compileSeccomp } from './seccomp.js';
import { sandboxSpawner } from './spawner.js';

export { MAX_OUT_ENTRIES, supervise } from './sandbox-supervise.js';

export const BWRAP_INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install -y bubblewrap), or run with --sandbox none to run unsandboxed';

const found = new Map<string, string | null>();

function onPath(name: string, env: Readonly<Record<string, string | undefined>>): string | null {
  const path = env.PATH ?? '/usr/bin:/bin';
  const key = `${name}\0${path}`;
  if (!found.has(key))
    found.set(
      key,
      path
        .split(':')
        .map((d) => join(d, name))
        .find((p) => existsSync(p)) ?? null,
    );
  return found.get(key)!;
}

/** The bwrap binary on PATH, or null. */
export function findBwrap(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  return onPath('bwrap', env);
}

/** perl (Essential on Debian/Ubuntu), which launches bwrap after joining the cgroup and close_range. */
export function findPerl(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  return onPath('perl', env);
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
function prepareRuntime(runtimeDir: string, profile: ProfileName, network: boolean): { etcDir: string; seccompFile: string; maskFile: string } {
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
  // The program is written once per state home, so a runner killed mid-write is swept here, not by a later write.
  sweepDeadTempsOnce(runtimeDir);
  // rename is atomic: concurrent runners never read a half-written program.
  if (!existsSync(seccompFile)) writeFileAtomicSync(seccompFile, compileSeccomp({ profile, arch, network }));
  const maskFile = join(runtimeDir, 'masked');
  if (!existsSync(maskFile)) writeFileSync(maskFile, '', { mode: 0o444 });
  return { etcDir, seccompFile, maskFile };
}

let appArmorStatus: AppArmorStatus | undefined;
let swept = false;

/** Most sockets/FIFOs/devices masked in one workspace, and most entries the scan reads. */
export const MAX_MASKED = 256;
export const MAX_WORKSPACE_SCAN = 200_000;

/** The task's cgroup, or the isolation warning the tenant's policy allows instead. */
async function taskCgroup(spec: SandboxSpec, iso: IsolationRecord): Promise<TaskCgroup | null> {
  if (!swept) {
    swept = true;
    sweepStaleCgroups();
  }
  const { host, reason } = probeCgroups();
  let why = reason ?? '';
  if (host) {
    try {
      const cg = await createTaskCgroup(host, { memoryMB: spec.resources.memoryMB, cpu: spec.resources.cpu ?? 0, pids: spec.resources.pids });
      iso.cgroup = host.version;
      iso.controllers = limitedControllers(cg);
      return cg;
    } catch (err) {
      why = `cannot create the task's cgroup: ${(err as Error).message}`;
    }
  }
  if ((spec.onMissingCgroup ?? 'refuse') === 'refuse') {
    throw new RunnerError('ISOLATION_UNAVAILABLE', `no cgroup can hold this task's process tree (${why}), and the tenant's policy refuses to run without one`, {
      hint: 'mount the cgroup v1 memory controller read-write or delegate a cgroup v2 subtree (memory, cpu, pids) to maestro; or let the tenant run without cgroups (requireSandbox false), which records an isolation warning',
    });
  }
  iso.warnings.push(`isolation: no cgroup (${why}): memory is limited per process (RLIMIT_AS), CPU is not limited, and usage misses reparented processes`);
  return null;
}

/** Sockets, FIFOs and device nodes of the workspace (to be masked), refusing absurd workspaces. */
function specialFilesOf(workspace: string | undefined): string[] {
  if (!workspace) return [];
  const r = findSpecialFiles(workspace, MAX_WORKSPACE_SCAN);
  if (r.truncated) {
    throw new RunnerError(
      'WORKSPACE_TOO_LARGE',
      `the workspace ${workspace} has more than ${MAX_WORKSPACE_SCAN} entries, too many to check for sockets, FIFOs and devices`,
      { kind: 'usage', hint: 'keep build outputs and dependencies out of the workspace' },
    );
  }
  if (r.paths.length > MAX_MASKED) {
    throw new RunnerError(
      'WORKSPACE_SPECIAL_FILES',
      `the workspace ${workspace} holds ${r.paths.length} sockets, FIFOs or device nodes (at most ${MAX_MASKED} are masked)`,
      { kind: 'usage', hint: 'remove them from the workspace; tasks may not reach host sockets or devices' },
    );
  }
  return r.paths;
}

/**
 * Runs `spec.command` in a fresh sandbox and resolves with what happened (never rejects for a task
 * failure; rejects only when the sandbox itself cannot be set up, or the tenant's policy refuses to
 * run without a cgroup).
 * @example
 *   const o = await runSandboxed({ command: 'echo hi', outDir, env: {}, network: false, resources, mode: 'bwrap', runtimeDir }, { line: (s, l) => console.log(s, l) });
 */
export async function runSandboxed(spec: SandboxSpec, io: SandboxIO): Promise<TaskOutcome> {
  await mkdir(spec.outDir, { recursive: true, mode: 0o755 });
  if (spec.mode === 'none') return runUnsandboxed(spec, io);
  const bwrap = requireBwrap();
  const perl = findPerl();
  if (!perl)
    throw new RunnerError('SANDBOX_UNAVAILABLE', 'perl is not installed, so the sandbox launcher (cgroup join, close_range) cannot run', {
      hint: 'install perl-base (Debian/Ubuntu: apt-get install -y perl-base)',
    });
  const profile = spec.profile ?? 'default';
  const { etcDir, seccompFile, maskFile } = prepareRuntime(spec.runtimeDir, profile, spec.network);
  appArmorStatus ??= ensureAppArmorProfile();
  const masked = specialFilesOf(spec.workspace);
  const iso: IsolationRecord = { cgroup: null, controllers: [], masked: masked.length, landlock: null, warnings: [] };
  // A network task shares the host's network namespace: Landlock scopes away its abstract unix sockets (ADR 0018).
  if (spec.network) {
    const ll = landlockAbi(perl);
    if (ll.version >= LANDLOCK_SCOPE_ABI) iso.landlock = 'scope:abstract-unix,signal';
    else iso.warnings.push(`isolation: Landlock scopes unavailable (${ll.detail}): this network task can reach the host's abstract unix sockets`);
  }
  const cg = await taskCgroup(spec, iso);
  try {
    for (const w of iso.warnings) await io.line('stderr', `maestro: warning: ${w}`);
    return await runPrepared(spec, io, { bwrap, perl, profile, etcDir, seccompFile, maskFile, masked, cg, iso });
  } finally {
    if (cg) await removeTaskCgroup(cg);
  }
}

interface Prepared {
  bwrap: string;
  perl: string;
  profile: ProfileName;
  etcDir: string;
  seccompFile: string;
  maskFile: string;
  masked: string[];
  cg: TaskCgroup | null;
  iso: IsolationRecord;
}

async function runPrepared(spec: SandboxSpec, io: SandboxIO, p: Prepared): Promise<TaskOutcome> {
  const identity = process.getuid?.() === 0 ? 'mapped' : 'user';
  if (identity === 'mapped') {
    chownSync(spec.outDir, SANDBOX_UID, SANDBOX_UID);
    const note = workspaceNote(spec.workspace);
    if (note) await io.line('stderr', note);
  }
  const layout: ArgsLayout = {
    identity,
    etcDir: p.etcDir,
    haveTime: existsSync(TIME_BIN),
    cgroup: p.cg !== null,
    masked: p.masked,
    maskFile: p.maskFile,
    landlockScope: p.iso.landlock !== null,
    ...(appArmorStatus === 'enforced' ? { appArmorProfile: APPARMOR_PROFILE_NAME } : {}),
  };
  const launch = launcherArgv(p.bwrap, p.cg?.procsFiles ?? [], bwrapArgs(spec, layout));
  const req: LaunchRequest = {
    perl: p.perl,
    argv: launch.argv,
    options: launch.options,
    seccompFile: p.seccompFile,
    envDir: join(spec.runtimeDir, 'env'),
    envBody: envScript(spec.env),
    mapped: identity === 'mapped',
  };
  const started = Date.now();
  const spawner = sandboxSpawner();
  const launched: Launched = spawner ? await spawner.launch(req) : launchSandbox(req);
  const reportChunks: Buffer[] = [];
  let reportBytes = 0;
  launched.report.on('data', (c: Buffer) => {
    // Bounded: the audit lists at most TMP_AUDIT_MAX_FILES records.
    reportBytes += c.length;
    if (reportBytes <= 64 * 1048576) reportChunks.push(c);
  });
  const result = await supervise(launched.child, spec, io, p.cg, launched.startedMsAgo);
  const wallSec = Math.round(((Date.now() - started) / 1000) * 1000) / 1000;
  const report = parseReport(Buffer.concat(reportChunks));
  const outMB = spec.resources.outMB ?? DEFAULT_OUT_MB;
  const outWrites = await auditOutDir(spec.outDir, '/out', { maxFiles: MAX_OUT_ENTRIES, maxHashBytes: outMB * 1048576, hashMs: 20_000 });
  const writes = [...report.tmpWrites, ...outWrites];
  const cgUsage = p.cg ? readCgroupUsage(p.cg) : null;
  const outcome: TaskOutcome = {
    ...result,
    usage: {
      cpuSec: cgUsage ? cgUsage.cpuSec : report.cpuSec,
      peakRssMB: cgUsage ? cgUsage.peakRssMB : report.peakRssMB,
      wallSec,
      bytesWritten: bytesOf(writes),
    },
    writes,
    sandbox: 'bwrap',
    apparmor: appArmorStatus!,
    seccomp: { profile: p.profile, arch: hostArch() },
    isolation: p.iso,
  };
  const outAllocated = outWrites.reduce((n, w) => n + (w.allocated ?? w.size), 0);
  // A timeout or a cancel keeps its own reason; otherwise a broken limit fails the task even after exit 0.
  if (outcome.timedOut || outcome.cancelled) return outcome;
  if (!outcome.exceeded && outAllocated > outMB * 1048576) {
    outcome.exceeded = 'outMB';
    outcome.reason = `wrote ${Math.ceil(outAllocated / 1048576)} MiB to /out, more than resources.outMB (${outMB} MiB)`;
  }
  if (cgUsage && cgUsage.oomKills > 0 && !outcome.exceeded && outcome.exitCode !== 0) {
    outcome.exceeded = 'memoryMB';
    outcome.reason = `the task's processes reached resources.memoryMB (${spec.resources.memoryMB} MiB, whole tree) and the kernel killed ${cgUsage.oomKills === 1 ? 'one' : cgUsage.oomKills}`;
  }
  return outcome;
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

/** --sandbox none: the host shell, cleared environment, cwd = workspace, output dir in MAESTRO_OUT. */
/**
 * The gate an unsandboxed task waits at: it runs the command ($0) only after the runner has recorded
 * its process group (a "go" line on stdin). Nothing else ties such a task to its runner, so a runner
 * killed between spawning it and recording it would leave it out of recovery's reach; at the gate, the
 * runner's death closes stdin and the task never starts (exit 125).
 */
export const UNSANDBOXED_GATE = 'IFS= read -r go && [ "$go" = go ] || exit 125; exec </dev/null; exec /bin/sh -c "$0"';

async function runUnsandboxed(spec: SandboxSpec, io: SandboxIO): Promise<TaskOutcome> {
  const started = Date.now();
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: spec.outDir, MAESTRO_OUT: spec.outDir, ...spec.env };
  const child = spawn('/bin/sh', ['-c', UNSANDBOXED_GATE, spec.command], {
    cwd: spec.workspace ?? spec.outDir,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => undefined); // the task may be gone before the go line
  const gated: SandboxIO = {
    ...io,
    started: (pid, msAgo) => {
      try {
        io.started?.(pid, msAgo);
      } catch (err) {
        child.stdin!.end();
        throw err;
      }
      child.stdin!.end('go\n');
    },
  };
  if (!child.pid) child.stdin!.end();
  const result = await supervise(child, spec, gated);
  const writes = await auditOutDir(spec.outDir);
  const wallSec = Math.round(Date.now() - started) / 1000;
  return {
    ...result,
    usage: { cpuSec: null, peakRssMB: null, wallSec, bytesWritten: bytesOf(writes) },
    writes,
    sandbox: 'none',
    apparmor: 'unavailable',
    seccomp: null,
  };
}
