/** Types shared by the sandbox, the executor and the commands. */
import type { AppArmorStatus } from './apparmor.js';
import type { ProfileName, SeccompArch } from './profiles.js';

export type SandboxMode = 'bwrap' | 'none';

export interface SandboxResources {
  /** Memory (+ swap) of the whole task tree, MiB (a cgroup; RLIMIT_AS per process only without one). */
  memoryMB: number;
  pids: number;
  tmpMB: number;
  timeoutSec: number;
  /** vCPUs: the cgroup's CPU quota (none when absent). */
  cpu?: number;
  /** Most bytes the task may leave under /out, MiB (default 1024); also the largest single file. */
  outMB?: number;
  /** RLIMIT_NOFILE of the task (default 1024). */
  fds?: number;
  /** Most output (stdout + stderr) kept in the log, MiB (default 64); the rest is dropped and marked. */
  logMB?: number;
}

/** What to do where no cgroup can hold the task tree: the tenant's policy (see ADR 0017). */
export type MissingCgroupPolicy = 'refuse' | 'warn';

/** Which isolation layers held this run. */
export interface IsolationRecord {
  /** cgroup version used, or null (then `warnings` says so). */
  cgroup: 1 | 2 | null;
  /** Controllers that limited the task (memory, cpu, pids). */
  controllers: string[];
  /** Workspace sockets, FIFOs and device nodes masked. */
  masked: number;
  /** The Landlock restriction applied (network tasks), or null. */
  landlock: string | null;
  warnings: string[];
}

/** One command to run, with everything the sandbox needs to know. */
export interface SandboxSpec {
  /** Shell command, run with /bin/sh -c. */
  command: string;
  /** Host directory bound read-only at /workspace. */
  workspace?: string;
  /** Host directory bound read-write at /out (created if missing). */
  outDir: string;
  /** Declared environment; nothing else from the host leaks in. */
  env: Record<string, string>;
  network: boolean;
  resources: SandboxResources;
  mode: SandboxMode;
  profile?: ProfileName;
  /** Host directory for the generated /etc and other per-runner files. */
  runtimeDir: string;
  /** Aborting kills the whole sandbox tree (cancel). */
  signal?: AbortSignal;
  /** Where no cgroup is available: refuse the run (default) or run it with an `isolation` warning. */
  onMissingCgroup?: MissingCgroupPolicy;
}

export type StreamName = 'stdout' | 'stderr';

export interface SandboxIO {
  /** Called once per output line, in order per stream; a returned promise pauses the stream until it settles. */
  line(stream: StreamName, line: string): void | Promise<void>;
  /**
   * Optional batch form, preferred when present: every complete line of one read, in order. A
   * returned promise pauses the stream until it settles.
   */
  lines?(stream: StreamName, lines: string[]): void | Promise<void>;
  /**
   * Called when the process tree exists: its process group id (for crash recovery), and how many ms
   * ago it really started when that was learnt late (a spawner's answer behind a busy event loop).
   */
  started?(pgid: number, msAgo?: number): void;
}

export interface TaskUsage {
  /**
   * user+sys CPU seconds of everything that ran in the task's cgroup, reparented descendants included
   * (GNU time of the direct tree where no cgroup exists; null when not measurable).
   */
  cpuSec: number | null;
  /** Peak memory of the task's cgroup, MiB (GNU time's largest RSS where no cgroup exists). */
  peakRssMB: number | null;
  wallSec: number;
  /** Bytes in the files present under /tmp and /out when the task ended (allocated, at most apparent size). */
  bytesWritten: number;
}

export interface WriteRecord {
  /** Sandbox path, /tmp/... or /out/... */
  path: string;
  /** Apparent size. */
  size: number;
  /** Bytes actually allocated on disk (st_blocks * 512): smaller than size for sparse files. */
  allocated?: number;
  /** sha256 hex, or null when the file could not be read. */
  sha256: string | null;
}

export interface TaskOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  usage: TaskUsage;
  writes: WriteRecord[];
  sandbox: SandboxMode;
  apparmor: AppArmorStatus;
  seccomp: { profile: ProfileName; arch: SeccompArch } | null;
  /** A limit the task broke, which fails it even when it exited 0 (the reason says how). */
  exceeded?: 'outMB' | 'memoryMB';
  /** Isolation layers of this run (bwrap mode). */
  isolation?: IsolationRecord;
  /** A one-line explanation when the task did not succeed for a reason other than its exit status. */
  reason?: string;
}
