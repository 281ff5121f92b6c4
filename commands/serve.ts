import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../src/cli/base-command.js';

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve the embedded engine as an HTTP control plane (JSON API, OpenAPI, Prometheus metrics).';
  static override description =
    'Clients authenticate with a Bearer JWT from `maestro login --print`. SIGINT/SIGTERM shut down gracefully: new connections are refused, in-flight requests finish.';
  static override examples = ['<%= config.bin %> serve --port 8080', 'MAESTRO_URL=http://127.0.0.1:8080 <%= config.bin %> whoami'];
  static override flags = {
    port: Flags.integer({ char: 'p', description: 'TCP port (0 picks a free one).', default: 8080, min: 0, max: 65535 }),
    host: Flags.string({ description: 'Interface to bind.', default: '127.0.0.1' }),
  };

  async run(): Promise<void> {
    const { startServer } = await import('../src/server/index.js');
    const srv = await startServer(this.ctx, { host: this.flags.host, port: this.flags.port });
    this.emit({ url: srv.url, home: this.ctx.home }, (r) => `maestro control plane listening on ${r.url} (state home ${r.home})`);
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        this.note(`maestro: ${sig} received, shutting down (finishing in-flight requests)`);
        srv.close().then(resolve, resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  }
}
