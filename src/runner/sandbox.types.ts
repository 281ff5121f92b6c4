/** Types shared by the sandbox, the executor and the commands. */
import type { AppArmorStatus } from './apparmor.js';
import type { ProfileName, SeccompArch } from './profiles.js';

export type SandboxMode = 'bwrap' | 'none';

export interface SandboxResources {
  memoryMB: number;
  pids: number;
  tmpMB: number;
  timeoutSec: number;
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
}

export type StreamName = 'stdout' | 'stderr';

export interface SandboxIO {
  /** Called once per output line, in order per stream; a returned promise pauses the stream until it settles. */
  line(stream: StreamName, line: string): void | Promise<void>;
  /** Called when the process tree exists: its process group id (for crash recovery). */
  started?(pgid: number): void;
}

export interface TaskUsage {
  /** user+sys CPU seconds of the task's process tree (null when not measurable). */
  cpuSec: number | null;
  /** Largest resident set of any process of the task, MiB (null when not measurable). */
  peakRssMB: number | null;
  wallSec: number;
  /** Bytes in the files present under /tmp and /out when the task ended. */
  bytesWritten: number;
}

export interface WriteRecord {
  /** Sandbox path, /tmp/... or /out/... */
  path: string;
  size: number;
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
  /** A one-line explanation when the task did not succeed for a reason other than its exit status. */
  reason?: string;
}
