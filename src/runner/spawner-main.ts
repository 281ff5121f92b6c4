/**
 * The spawner process (ADR 0036): a small, long-lived Node process that forks the sandbox launchers
 * for a runner, so the runner (a server holding hundreds of MiB) never forks itself. It owns the
 * launchers' pipes and forwards their output, pid and exit over the IPC channel, with credit-based
 * flow control per sandbox. When the runner goes away (its channel closes, even after kill -9),
 * every sandbox it started is killed and the spawner exits.
 * Started by src/runner/spawner.ts with child_process.fork; not a command.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { launchSandbox } from './sandbox-launch.js';
import { CREDIT_BYTES, type FromSpawner, type StreamId, type ToSpawner } from './spawner-protocol.js';

interface Running {
  child: ChildProcess;
  streams: Readable[];
  unacked: number;
  paused: boolean;
}

const running = new Map<number, Running>();

function send(m: FromSpawner): void {
  if (process.connected) process.send!(m);
}

function killAll(): void {
  for (const r of running.values()) {
    try {
      if (r.child.pid) process.kill(-r.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function forward(id: number, r: Running, s: StreamId, stream: Readable): void {
  r.streams.push(stream);
  stream.on('data', (b: Buffer) => {
    send({ t: 'data', id, s, b });
    r.unacked += b.length;
    if (!r.paused && r.unacked >= CREDIT_BYTES) {
      r.paused = true;
      for (const x of r.streams) x.pause();
    }
  });
  stream.on('error', () => undefined);
}

function launch(id: number, req: Extract<ToSpawner, { t: 'launch' }>['req']): void {
  let started: ReturnType<typeof launchSandbox>;
  try {
    started = launchSandbox(req);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    send({ t: 'error', id, message: e.message, ...(e.code ? { code: e.code } : {}) });
    return;
  }
  const { child, report } = started;
  const r: Running = { child, streams: [], unacked: 0, paused: false };
  let failed = false;
  child.on('error', (err: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    running.delete(id);
    send({ t: 'error', id, message: err.message, ...(err.code ? { code: err.code } : {}) });
  });
  if (!child.pid) return; // 'error' follows
  running.set(id, r);
  send({ t: 'spawned', id, pid: child.pid, at: Date.now() });
  forward(id, r, 1, child.stdout!);
  forward(id, r, 2, child.stderr!);
  forward(id, r, 4, report);
  child.on('close', (code, signal) => {
    if (failed) return;
    running.delete(id);
    send({ t: 'exit', id, code, signal });
  });
}

process.on('message', (m: ToSpawner) => {
  if (m.t === 'launch') launch(m.id, m.req);
  else if (m.t === 'ack') {
    const r = running.get(m.id);
    if (!r) return;
    r.unacked = Math.max(0, r.unacked - m.n);
    if (r.paused && r.unacked < CREDIT_BYTES / 4) {
      r.paused = false;
      for (const x of r.streams) x.resume();
    }
  }
});

// The runner is gone (exit, crash or kill -9 all close the channel): nothing it started may outlive it.
process.on('disconnect', () => {
  killAll();
  process.exit(0);
});
// Terminal signals reach the whole process group: the runner decides when its sandboxes stop.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('SIGHUP', () => undefined);

send({ t: 'ready', pid: process.pid });
