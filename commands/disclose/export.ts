import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, remoteFlag } from '../../src/cli/base-command.js';
import { createProgress, renderExport } from '../../src/cli/render-disclose.js';

export default class DiscloseExport extends BaseCommand<typeof DiscloseExport> {
  static override summary = 'Export an execution as a deterministic, signed disclosure pack (zip); optionally upload it to S3.';
  static override description =
    'The pack holds the manifest, plan, decisions, receipt, logs and outputs, plus index.json (path, size, sha256 of every entry) and index.sig.json. ' +
    'Exporting the same execution again gives the same bytes. An interrupted upload resumes from its completed parts when run again. ' +
    'S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the flags).';
  static override examples = [
    '<%= config.bin %> disclose export ex_01jf8z6v3k9q2w7e5r4t1y0u8i -o pack.zip',
    '<%= config.bin %> disclose export ex_01jf8z6v3k9q2w7e5r4t1y0u8i --remote http://127.0.0.1:8080 -o pack.zip',
    '<%= config.bin %> disclose export ex_01jf8z6v3k9q2w7e5r4t1y0u8i --to s3://evidence/maestro --endpoint http://127.0.0.1:9000 --json',
  ];
  static override args = { 'execution-id': Args.string({ description: 'The execution to export.', required: true }) };
  static override flags = {
    ...remoteFlag,
    output: Flags.string({ char: 'o', description: 'Pack file to write (default: ./<execution-id>.disclosure.zip).', helpValue: '<file>' }),
    to: Flags.string({ description: 'Also upload the pack to s3://bucket/prefix (multipart, resumable).', helpValue: 's3://bucket/prefix' }),
    endpoint: Flags.string({ description: 'S3-compatible endpoint URL (path-style addressing).', helpValue: '<url>', dependsOn: ['to'] }),
    region: Flags.string({ description: 'S3 region (default: AWS_REGION, else us-east-1).', dependsOn: ['to'] }),
    'access-key-id': Flags.string({ description: 'S3 access key id (default: AWS_ACCESS_KEY_ID).', dependsOn: ['to'] }),
    'secret-access-key': Flags.string({ description: 'S3 secret access key (default: AWS_SECRET_ACCESS_KEY).', dependsOn: ['to'] }),
    'part-size': Flags.integer({ description: 'Multipart part size in MiB (at least 5; default 8).', min: 5, dependsOn: ['to'] }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    if (f.remote) {
      // Thin client: the server exports the pack (tenant-scoped) and streams it here.
      const { renderFetchedPack } = await import('../../src/cli/render-disclose.js');
      if (f.to) this.error('--to uploads from the server side only in local mode; fetch the pack, then upload it', { exit: 2 });
      const pack = await (await this.api()).disclosure(this.args['execution-id'], f.output ?? `${this.args['execution-id']}.disclosure.zip`);
      this.emit(pack, renderFetchedPack);
      return;
    }
    const { exportDisclosure } = await import('../../src/engine/index.js');
    const session = await this.session();
    const progress = await createProgress({ json: this.jsonMode, quiet: this.flags.quiet, tty: process.stderr.isTTY === true, clock: this.ctx.clock });
    try {
      const result = await exportDisclosure(session, {
        executionId: this.args['execution-id'],
        ...(f.output ? { output: f.output } : {}),
        ...(f.to ? { to: f.to } : {}),
        upload: {
          ...(f.endpoint ? { endpoint: f.endpoint } : {}),
          ...(f.region ? { region: f.region } : {}),
          ...(f['access-key-id'] ? { accessKeyId: f['access-key-id'] } : {}),
          ...(f['secret-access-key'] ? { secretAccessKey: f['secret-access-key'] } : {}),
          ...(f['part-size'] ? { partSize: f['part-size'] * 1024 * 1024 } : {}),
        },
        onProgress: (e) => progress.update(e),
      });
      await progress.done();
      this.emit(result, renderExport);
    } catch (err) {
      await progress.done();
      throw err;
    }
  }
}
