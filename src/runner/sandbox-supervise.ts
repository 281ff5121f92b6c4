/**
 * Supervision of a running sandbox: output streamed in batches under the logMB cap, the timeout,
 * cancellation and the /out quota (each kills the process group and everything in the task's
 * cgroup), then the exit. See docs/adr/0017-aggregate-resource-limits.md.
 */
import { measureDir } from './audit.js';
import { cgroupPids, type TaskCgroup } from './cgroup.js';
import { RunnerError } from './errors.js';
import { forEachLines } from './lines.js';
import type { SandboxIO, SandboxSpec, StreamName } from './sandbox.types.js';
import { DEFAULT_LOG_MB, DEFAULT_OUT_MB } from './sandbox-args.js';
import type { SandboxChild } from './sandbox-launch.js';

/** Most entries /out may hold (the quota watcher and the audit stop there). */
export const MAX_OUT_ENTRIES = 100_000;

export interface Supervised {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  exceeded?: 'outMB';
  reason?: string;
}

/**
 * Output with a byte cap (resources.logMB): lines past it are dropped and the cut is marked once in
 * the log, then the count of dropped bytes at the end. Lines go to io.lines in batches when present.
 */
class LogSink {
  private used = 0;
  private dropped = 0;
  private chain: Promise<void> = Promise.resolve();
  private pending = false;
  constructor(
    private readonly io: SandboxIO,
    private readonly cap: number,
    private readonly logMB: number,
  ) {}

  private emit(stream: StreamName, lines: string[]): void | Promise<void> {
    if (lines.length === 0) return;
    if (this.io.lines) return this.io.lines(stream, lines);
    let last: void | Promise<void> | undefined;
    for (const l of lines) last = this.io.line(stream, l);
    return last;
  }

  /** Writes what fits, in order; a returned promise is the writer's backpressure. */
  accept(stream: StreamName, lines: string[]): void | Promise<void> {
    let keep = lines.length;
    if (this.used >= this.cap) keep = 0;
    else {
      for (let i = 0; i < lines.length; i++) {
        const n = Buffer.byteLength(lines[i]!) + 1;
        if (this.used + n > this.cap) {
          keep = i;
          break;
        }
        this.used += n;
      }
    }
    const out: Array<[StreamName, string[]]> = [[stream, keep === lines.length ? lines : lines.slice(0, keep)]];
    if (keep < lines.length) {
      const wasUnder = this.used < this.cap;
      for (let i = keep; i < lines.length; i++) this.dropped += Buffer.byteLength(lines[i]!) + 1;
      this.used = this.cap;
      if (wasUnder) out.push(['stderr', [`maestro: log truncated: the task's output passed resources.logMB (${this.logMB} MiB); the rest is dropped`]]);
    }
    return this.run(out);
  }

  private run(out: Array<[StreamName, string[]]>): void | Promise<void> {
    if (this.pending) {
      this.chain = this.chain.then(async () => {
        for (const [s, l] of out) await this.emit(s, l);
      });
      return this.chain;
    }
    for (let i = 0; i < out.length; i++) {
      const w = this.emit(out[i]![0], out[i]![1]);
      if (w instanceof Promise) {
        const rest = out.slice(i + 1);
        this.pending = true;
        this.chain = w.then(async () => {
          for (const [s, l] of rest) await this.emit(s, l);
          this.pending = false;
        });
        return this.chain;
      }
    }
  }

  async close(): Promise<void> {
    await this.chain;
    if (this.dropped > 0) await this.emit('stderr', [`maestro: ${this.dropped} bytes of output were dropped (resources.logMB ${this.logMB} MiB)`]);
  }
}

/**
 * Streams output (capped at resources.logMB), enforces the timeout, cancellation and the /out quota
 * by killing the process group (and everything in the task's cgroup), waits for exit.
 */
export async function supervise(child: SandboxChild, spec: SandboxSpec, io: SandboxIO, cg: TaskCgroup | null = null, startedMsAgo = 0): Promise<Supervised> {
  let timedOut = false;
  let cancelled = false;
  let overQuota: string | undefined;
  let exited = false;
  const killTree = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    for (const pid of cg ? cgroupPids(cg) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  if (child.pid) io.started?.(child.pid, startedMsAgo);
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
  // /out quota: measured while the task runs (allocated bytes and entries); the next look waits
  // longer when a look is slow, so a huge /out cannot eat the engine's time.
  const outMB = spec.resources.outMB ?? DEFAULT_OUT_MB;
  let watch: NodeJS.Timeout | undefined;
  const look = (): void => {
    if (exited) return;
    const t0 = Date.now();
    const m = measureDir(spec.outDir, MAX_OUT_ENTRIES);
    if (m.allocated > outMB * 1048576) overQuota = `wrote more than resources.outMB (${outMB} MiB) to /out; the task was stopped`;
    else if (m.entries > MAX_OUT_ENTRIES) overQuota = `created more than ${MAX_OUT_ENTRIES} entries under /out; the task was stopped`;
    if (overQuota) {
      killTree();
      return;
    }
    watch = setTimeout(look, Math.max(200, (Date.now() - t0) * 4));
  };
  if (spec.mode === 'bwrap') watch = setTimeout(look, 100);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const logMB = spec.resources.logMB ?? DEFAULT_LOG_MB;
  const sink = new LogSink(io, logMB * 1048576, logMB);
  const lines = Promise.all([forEachLines(child.stdout!, (ls) => sink.accept('stdout', ls)), forEachLines(child.stderr!, (ls) => sink.accept('stderr', ls))]);
  const [r] = await Promise.all([done, lines]);
  exited = true;
  clearTimeout(watch);
  await sink.close();
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  if (r.error) {
    // A sandbox that ran and was lost (its spawner died): nothing of it may keep running.
    if (child.pid) killTree();
    const lost = (r.error as NodeJS.ErrnoException).code === 'SPAWNER_LOST';
    throw new RunnerError('SANDBOX_SPAWN_FAILED', lost ? r.error.message : `cannot start the task: ${r.error.message}`, { cause: r.error });
  }
  const reason = timedOut ? `timed out after ${spec.resources.timeoutSec}s (the whole sandbox was killed)` : cancelled ? 'cancelled' : overQuota;
  return {
    exitCode: r.code,
    signal: r.signal,
    timedOut,
    cancelled,
    ...(overQuota && !timedOut && !cancelled ? { exceeded: 'outMB' as const } : {}),
    ...(reason ? { reason } : {}),
  };
}
