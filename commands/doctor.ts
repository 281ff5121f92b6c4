import { BaseCommand } from '../src/cli/base-command.js';

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that this host can run sandboxed, measured, signed workflows, with a fix for each problem.';
  static override description =
    'Checks bubblewrap, user namespaces, seccomp, cgroups, Landlock, AppArmor, GNU time, the signing keys, the ' +
    'database integrity, disk space and the clock. Creates nothing. Exit 0 when runs can work here (optional layers ' +
    'may still be missing), 1 when a required check fails.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];

  async run(): Promise<void> {
    const { runDoctor } = await import('../src/doctor/index.js');
    const { renderDoctor } = await import('../src/cli/render-doctor.js');
    const report = runDoctor(this.ctx);
    this.emit(report, renderDoctor);
    this.finish(report.ok ? 0 : 1);
  }
}
