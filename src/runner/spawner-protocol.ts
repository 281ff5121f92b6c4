/**
 * Messages between a runner and its spawner process (ADR 0036), over Node's IPC channel with the
 * advanced (structured clone) serialization, so output bytes travel as binary.
 */
import type { LaunchRequest } from './sandbox-launch.js';

/** Output streams of a sandbox: its stdout, its stderr and the report pipe (fd 4). */
export type StreamId = 1 | 2 | 4;

/** A runner's requests. `ack` returns credit for output bytes the runner has taken. */
export type ToSpawner = { t: 'launch'; id: number; req: LaunchRequest } | { t: 'ack'; id: number; n: number };

/** The spawner's answers, in order per sandbox: spawned (or error), data…, then exit. */
export type FromSpawner =
  | { t: 'ready'; pid: number }
  | { t: 'spawned'; id: number; pid: number; at: number }
  | { t: 'error'; id: number; message: string; code?: string }
  | { t: 'data'; id: number; s: StreamId; b: Uint8Array }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

/** Output bytes a spawner sends for one sandbox before it waits for the runner's acknowledgement. */
export const CREDIT_BYTES = 1024 * 1024;
