/**
 * The runner's side of the spawner process (ADR 0036). A long-running runner (the pool of
 * `maestro serve` and `maestro worker`) holds hundreds of MiB; forking it for every sandbox copies
 * its page tables while the event loop waits (82 ms per start at 250 MiB under load, ADR 0031).
 * Pools therefore start sandboxes through one small spawner process, which forks the launchers and
 * forwards pid, output and exit. A foreground `maestro run` keeps forking itself: it is small.
 * `MAESTRO_SPAWNER=0` turns the spawner off everywhere, `=1` on everywhere.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { builtScript } from '../core/files.js';
import { RunnerError } from './errors.js';
import type { Launched, LaunchRequest, SandboxChild } from './sandbox-launch.js';
import type { FromSpawner, StreamId, ToSpawner } from './spawner-protocol.js';

/** The spawner's script, next to this module (dist) or in the built dist/ (bundle, tests from src/). */
function spawnerScript(): string {
  const found = builtScript(import.meta.url, 'runner/spawner-main.js');
  if (found) return found;
  throw new RunnerError('SANDBOX_SPAWNER_MISSING', 'cannot find the sandbox spawner script (spawner-main.js)', { hint: 'run npm run build' });
}

type Final = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

/**
 * A sandbox started by the spawner, seen as a child process by supervision. Its exit is latched:
 * the spawner's messages can arrive in one batch (spawned, output, exit) before supervision has
 * attached its listeners, so a listener attached after the end still hears it.
 */
class RemoteChild extends EventEmitter implements SandboxChild {
  pid: number | undefined;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly report = new PassThrough();
  private final: Final | undefined;

  stream(s: StreamId): PassThrough {
    return s === 1 ? this.stdout : s === 2 ? this.stderr : this.report;
  }

  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    super.on(event, listener as (...args: unknown[]) => void);
    const f = this.final;
    if (f && (event === 'close' || event === 'error')) {
      const call = listener as (...args: unknown[]) => void;
      if (event === 'error' && 'error' in f) queueMicrotask(() => call(f.error));
      if (event === 'close' && !('error' in f)) queueMicrotask(() => call(f.code, f.signal));
    }
    return this;
  }

  /** Ends the output streams, then reports the exit (or the failure) to supervision. */
  finish(how: Final): void {
    if (this.final) return;
    this.final = how;
    for (const s of [this.stdout, this.stderr, this.report]) s.end();
    if ('error' in how) {
      if (this.listenerCount('error') > 0) this.emit('error', how.error);
    } else this.emit('close', how.code, how.signal);
  }
}

interface Pending {
  resolve: (l: Launched) => void;
  reject: (e: Error) => void;
  child: RemoteChild;
}

/** One spawner process and the sandboxes it holds for this runner. */
class Spawner {
  private proc: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly live = new Map<number, RemoteChild>();

  private start(): ChildProcess {
    // Not detached: it shares the runner's process group, and it ignores terminal signals itself.
    const proc = fork(spawnerScript(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    proc.on('message', (m: FromSpawner) => this.onMessage(m));
    proc.on('error', () => undefined); // 'exit' follows, which fails what is in flight
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.proc = null;
      this.lost(`the sandbox spawner process ${proc.pid ?? ''} exited (${signal ?? `code ${code}`})`);
    });
    this.idle(proc);
    return proc;
  }

  /** While no sandbox is in flight, the spawner does not keep the runner's event loop alive. */
  private idle(proc: ChildProcess): void {
    if (this.pending.size + this.live.size > 0) {
      proc.ref();
      proc.channel?.ref();
    } else {
      proc.unref();
      proc.channel?.unref();
    }
  }

  private onMessage(m: FromSpawner): void {
    if (m.t === 'ready') return;
    if (m.t === 'spawned') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.child.pid = m.pid;
      this.live.set(m.id, p.child);
      p.resolve({ child: p.child, report: p.child.report, startedMsAgo: Math.max(0, Date.now() - m.at) });
      return;
    }
    if (m.t === 'error') {
      const err = Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
      const p = this.pending.get(m.id);
      if (p) {
        this.pending.delete(m.id);
        // Like spawn: a launcher that cannot start is an 'error' of the child, not a throw.
        p.resolve({ child: p.child, report: p.child.report });
        queueMicrotask(() => p.child.finish({ error: err }));
      } else {
        const c = this.live.get(m.id);
        this.live.delete(m.id);
        c?.finish({ error: err });
      }
      this.settle();
      return;
    }
    const c = this.live.get(m.id);
    if (!c) return;
    if (m.t === 'data') {
      const b = Buffer.from(m.b.buffer, m.b.byteOffset, m.b.byteLength);
      // Credit goes back once the bytes are taken from the stream's buffer (backpressure).
      c.stream(m.s).write(b, () => this.send({ t: 'ack', id: m.id, n: b.length }));
      return;
    }
    this.live.delete(m.id);
    c.finish({ code: m.code, signal: m.signal });
    this.settle();
  }

  private settle(): void {
    if (this.proc) this.idle(this.proc);
  }

  private send(m: ToSpawner): void {
    const proc = this.proc;
    if (proc?.connected) {
      try {
        proc.send(m);
      } catch {
        /* the spawner is going away: its exit fails what is in flight */
      }
    }
  }

  /** The spawner died: whatever it held is killed (process group) and fails with the reason. */
  private lost(reason: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new RunnerError('SANDBOX_SPAWN_FAILED', `cannot start the task: ${reason}`));
    }
    for (const [id, c] of this.live) {
      this.live.delete(id);
      try {
        if (c.pid) process.kill(-c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      c.finish({ error: Object.assign(new Error(`${reason} while the task ran; the task was killed`), { code: 'SPAWNER_LOST' }) });
    }
  }

  /** Starts one sandbox launcher through the spawner; resolves once it has a pid (or failed to start). */
  launch(req: LaunchRequest): Promise<Launched> {
    this.proc ??= this.start();
    const id = this.nextId++;
    const child = new RemoteChild();
    const p = new Promise<Launched>((resolve, reject) => this.pending.set(id, { resolve, reject, child }));
    this.idle(this.proc);
    this.send({ t: 'launch', id, req });
    return p;
  }

  /** Starts the spawner ahead of the first sandbox (a pool calls this when it starts). */
  warm(): void {
    this.proc ??= this.start();
  }

  /** The spawner's pid, or null when none runs (tests). */
  pid(): number | null {
    return this.proc?.pid ?? null;
  }
}

let spawner: Spawner | null = null;
let wanted = false;

/** A pool calls this: its sandboxes start through the spawner from now on (unless MAESTRO_SPAWNER=0). */
export function preferSpawner(): void {
  wanted = true;
  sandboxSpawner()?.warm();
}

/** The spawner to start sandboxes through, or null when this process forks them itself. */
export function sandboxSpawner(env: Readonly<Record<string, string | undefined>> = process.env): Spawner | null {
  const forced = env.MAESTRO_SPAWNER;
  if (forced === '0' || (!wanted && forced !== '1')) return null;
  spawner ??= new Spawner();
  return spawner;
}

export type { Spawner };
