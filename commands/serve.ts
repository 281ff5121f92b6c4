import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve the embedded engine as an HTTP control plane (JSON API, OpenAPI, Prometheus metrics).';
  static override description =
    'Clients authenticate with a Bearer JWT from `maestro login --print`. Published runs are queued and executed by an ' +
    'embedded worker pool (--workers executions at once; 0 leaves them to `maestro worker` processes; with ' +
    'MAESTRO_SERVE_POOL=process the pool runs in a child process serve supervises). Past --max-queue ' +
    'queued executions, POST /api/executions answers 429 with Retry-After. SIGINT/SIGTERM shut down gracefully: new ' +
    'connections are refused, in-flight requests finish, the pool stops claiming and hands back executions that have ' +
    'not started (running ones get MAESTRO_WORKER_GRACE_MS, default 2 s here, then fail naming the worker).';
  static override examples = [
    '<%= config.bin %> serve --port 8080',
    '<%= config.bin %> serve --workers 1000 --max-queue 20000',
    '<%= config.bin %> serve --workers 0   # executions run in separate `maestro worker` processes',
    'MAESTRO_URL=http://127.0.0.1:8080 <%= config.bin %> whoami',
  ];
  static override flags = {
    'database-url': Flags.string({
      description:
        'PostgreSQL URL of the shared store (postgres://user@host:5432/db); default $MAESTRO_DATABASE_URL; unset: the SQLite file in the state home.',
    }),
    port: Flags.integer({ char: 'p', description: 'TCP port (0 picks a free one).', default: 8080, min: 0, max: 65535 }),
    host: Flags.string({ description: 'Interface to bind.', default: '127.0.0.1' }),
    workers: Flags.integer({ description: 'Executions the embedded worker pool runs at once (0: no embedded pool).', default: 64, min: 0, max: 10_000 }),
    'max-queue': Flags.integer({
      description: 'Queued executions past which POST /api/executions answers 429 (Retry-After).',
      default: 10_000,
      min: 1,
      max: 10_000_000,
    }),
  };

  async run(): Promise<void> {
    const [{ startServer, configureExecutionService }, engine, { renderServePoolNote }] = await Promise.all([
      import('../src/server/index.js'),
      import('../src/engine/index.js'),
      import('../src/cli/render-worker.js'),
    ]);
    const srv = await startServer(this.ctx, { host: this.flags.host, port: this.flags.port });
    const workers = this.flags.workers;
    const graceMs = Number(this.ctx.env.MAESTRO_WORKER_GRACE_MS) || 2000;
    // The pool runs in this process, or with MAESTRO_SERVE_POOL=process in a supervised child (ADR 0037).
    const inline = this.ctx.env.MAESTRO_SERVE_POOL !== 'process';
    const child =
      workers > 0 && !inline
        ? await engine.startServePool(this.ctx, { concurrency: workers, graceMs, note: (l) => this.note(l) }).catch(async (err) => {
            await srv.close().catch(() => undefined);
            throw err;
          })
        : undefined;
    const pool =
      workers > 0 && inline
        ? await engine.createWorkerPool(this.ctx, srv.store, {
            concurrency: workers,
            kind: 'serve',
            graceMs,
            onEvent: (e) => {
              const line = renderServePoolNote(e);
              if (line) this.note(line);
            },
          })
        : undefined;
    const wake = child ? () => child.wake() : pool ? () => pool.wake() : undefined;
    configureExecutionService(srv.store, { maxQueue: this.flags['max-queue'], ...(wake ? { onQueued: wake } : {}) });
    const done = pool?.start();
    this.emit(
      { url: srv.url, home: this.ctx.home, workers, maxQueue: this.flags['max-queue'], worker: child?.id ?? pool?.id ?? null },
      (r) =>
        `maestro control plane listening on ${r.url} (state home ${r.home}; ${r.workers > 0 ? `embedded worker pool of ${r.workers}` : 'no embedded worker pool'})`,
    );
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        this.note(`maestro: ${sig} received, shutting down (finishing in-flight requests)`);
        void (async () => {
          // HTTP stops at once (streams and keep-alive connections closed within 2 s, ADR 0023) while the
          // pool gives running executions their grace; the store closes after both.
          const http = srv.closeHttp().catch(() => undefined);
          await child?.stop().catch(() => undefined);
          await pool?.stop('signal').catch(() => undefined);
          await done?.catch(() => undefined);
          await http;
          await srv.close().catch(() => undefined);
          resolve();
        })();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  }
}
