import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Worker extends BaseCommand<typeof Worker> {
  static override summary = 'Run a long-lived worker pool: claims queued executions and runs many at once in this process.';
  static override description =
    'Claims queued executions (run --detach, POST /api/executions) under a lease with a heartbeat, fairly across ' +
    'tenants, and runs up to --concurrency of them at once; every task is a sandbox child process. Executions of a ' +
    'worker that dies are reclaimed after their lease expires (MAESTRO_LEASE_MS, default 30 s). SIGTERM/SIGINT stop ' +
    'claiming, hand back executions with no task started and let the rest finish (MAESTRO_WORKER_GRACE_MS, default ' +
    '30 s, then they fail naming this worker). --once drains what is queued (waiting for detached executions other ' +
    'pools still run) and exits.';
  static override examples = ['<%= config.bin %> worker', '<%= config.bin %> worker --concurrency 200', '<%= config.bin %> worker --once --json'];
  static override flags = {
    'database-url': Flags.string({
      description:
        'PostgreSQL URL of the shared store (postgres://user@host:5432/db); default $MAESTRO_DATABASE_URL; unset: the SQLite file in the state home.',
    }),
    concurrency: Flags.integer({ char: 'c', description: 'Executions run at once.', default: 64, min: 1, max: 10_000 }),
    once: Flags.boolean({ description: 'Run what is queued, then exit.', default: false }),
    local: Flags.boolean({ description: 'Internal: the on-demand worker of run --detach (pidfile, exits when idle).', hidden: true, default: false }),
    serve: Flags.boolean({ description: "Internal: maestro serve's embedded pool, run as its child process (IPC wake).", hidden: true, default: false }),
  };

  async run(): Promise<void> {
    const [{ runWorker }, { renderPoolEvent, renderServePoolNote, renderWorkerSummary }] = await Promise.all([
      import('../src/engine/index.js'),
      import('../src/cli/render-worker.js'),
    ]);
    const stop = new AbortController();
    const onSignal = (sig: string) => {
      if (!stop.signal.aborted) this.note(`maestro worker: ${sig} received, stopping (no new claims; running executions finish)`);
      stop.abort();
    };
    const serve = this.flags.serve && typeof process.send === 'function';
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    // serve's pool: a terminal's ^C reaches the whole group, and serve itself stops the pool (SIGTERM).
    process.on('SIGINT', () => (serve ? undefined : onSignal('SIGINT')));
    // serve's pool dies with serve, even when serve was killed (-9): as the pool did inside it.
    if (serve) {
      process.on('disconnect', () => process.exit(1));
      // The channel must not keep this process alive once the pool has stopped.
      process.channel?.unref();
    }
    const summary = await runWorker(this.ctx, {
      concurrency: this.flags.concurrency,
      once: this.flags.once,
      local: this.flags.local,
      signal: stop.signal,
      ...(serve
        ? {
            serve: true,
            onStart: (pool: { id: string; wake: () => void }) => {
              process.on('message', (m: { t?: string }) => {
                if (m?.t === 'wake') pool.wake();
              });
              process.send!({ t: 'ready', id: pool.id });
            },
          }
        : {}),
      // The on-demand local worker (and serve's pool) log only what needs attention.
      onEvent: (e) => {
        if (serve) {
          const line = renderServePoolNote(e);
          if (line) this.note(line);
        } else if (!this.flags.local || e.type === 'error' || e.type === 'reclaimed') this.note(renderPoolEvent(e));
      },
    });
    this.emit(summary, renderWorkerSummary);
  }
}
