/** Manifest v1 types: the shape every room (runner, cost, policy) reads after validation. */

export const RESOURCE_CLASSES = ['small', 'medium', 'large', 'xlarge'] as const;
export type ResourceClass = (typeof RESOURCE_CLASSES)[number];

/** Runner kinds a task may use. */
export const TASK_KINDS = ['shell'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Per-class ceilings a task's resources must fit under; also the defaults' source. */
export const CLASS_LIMITS: Record<ResourceClass, { cpu: number; memoryMB: number }> = {
  small: { cpu: 1, memoryMB: 1024 },
  medium: { cpu: 2, memoryMB: 4096 },
  large: { cpu: 4, memoryMB: 16384 },
  xlarge: { cpu: 8, memoryMB: 65536 },
};

export interface TaskResources {
  /** vCPUs requested. */
  cpu: number;
  memoryMB: number;
  timeoutSec: number;
  /** Size of the task's /tmp tmpfs. */
  tmpMB: number;
  /** Maximum processes/threads inside the sandbox. */
  pids: number;
  // The three below are always set by normalize() (DEFAULT_RESOURCES); optional in the type only so
  // rooms that build resources by hand (cost calibration, benches) need not name them.
  /** Most MiB the task may leave under /out (enforced during the run; also the largest single file). Default 1024. */
  outMB?: number;
  /** RLIMIT_NOFILE of the task. Default 1024. */
  fds?: number;
  /** Most MiB of output kept in the task's log (the rest is dropped, the cut marked). Default 64. */
  logMB?: number;
  /** The author's own guess of the task's duration, used by the estimator when there is no history. */
  expectedSec?: number;
}

export interface TaskSpec {
  id: string;
  uses: TaskKind;
  /** The shell command (run with /bin/sh -c). */
  run: string;
  needs: string[];
  resources: TaskResources;
  /** Environment passed to the task; nothing else from the host leaks in. */
  env: Record<string, string>;
  /** Network access requested (off unless asked and allowed by policy). */
  network: boolean;
}

export interface WorkflowSpec {
  region: string;
  resourceClass: ResourceClass;
  /** Absolute path of the workspace directory (resolved against the manifest's folder), if any. */
  workspace?: string;
  /** Default network access of tasks that do not say (false unless set). */
  network?: boolean;
  tasks: TaskSpec[];
}

export interface Manifest {
  apiVersion: 'maestro/v1';
  kind: 'Workflow';
  metadata: { name: string; labels: Record<string, string> };
  spec: WorkflowSpec;
}

/** A manifest read from disk, validated and normalised (defaults filled in). */
export interface LoadedManifest {
  manifest: Manifest;
  /** Absolute path of the manifest file. */
  path: string;
  /** The raw bytes as text. */
  source: string;
  /** sha256:<hex> of the raw bytes. */
  digest: string;
}

/** One problem found in a manifest, located in its file. */
export interface ManifestDiagnostic {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. tasks[1].needs[0] (fields under spec are written without the spec. prefix). */
  field: string;
  message: string;
  code: string;
}
