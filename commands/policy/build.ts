import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'] as const;

export default class PolicyBuild extends BaseCommand<typeof PolicyBuild> {
  static override summary = 'Write an OPA bundle (tar.gz) that `opa eval -b` and `opa run` load; sign it like `opa build --signing-key`.';
  static override description =
    "Paths are loaded with OPA's -d rules (modules, data files, directories) and compiled first; the bundle holds /data.json (all data merged), the policy files under their paths, /.manifest (--revision, --root) and, with --signing-key, /.signatures.json: a JWS over every file's SHA-256 in OPA's payload format. --pack <id> exports a catalog pack as a bundle whose roots are its packages and whose manifest metadata carries pack.json.";
  static override examples = [
    '<%= config.bin %> policy build policies/quota -o quota.tar.gz',
    '<%= config.bin %> policy build policies/quota -o quota.tar.gz --signing-key private.pem',
    '<%= config.bin %> policy build --pack quota -o quota.tar.gz --signing-key ec.pem --signing-alg ES256',
    '<%= config.bin %> policy build -b signed.tar.gz --verification-key public.pem -o resigned.tar.gz --signing-key new.pem',
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'Policy and data files or directories.', required: false }),
  };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'Bundle file to write.', default: 'bundle.tar.gz' }),
    bundle: Flags.string({ char: 'b', description: 'Include an existing bundle (directory or .tar.gz; repeatable).', multiple: true, multipleNonGreedy: true }),
    pack: Flags.string({ description: 'Export this catalog pack (shipped or local) as a bundle.', exclusive: ['bundle', 'revision', 'root'] }),
    revision: Flags.string({ char: 'r', description: 'Manifest revision.' }),
    root: Flags.string({ description: 'Manifest root (repeatable; default: everything).', multiple: true }),
    'signing-key': Flags.string({ description: 'Sign the bundle: a PEM private key file (RSA, ECDSA) or, for HS*, the secret.', helpValue: '<pem|secret>' }),
    'signing-alg': Flags.string({ description: 'Signing algorithm (as opa).', options: [...SIGNING_ALGS], default: 'RS256' }),
    'verification-key': Flags.string({ description: 'Verify signed -b bundles first (PEM public key or HS* secret).', helpValue: '<pem|secret>' }),
    scope: Flags.string({ description: 'Scope written into (and checked in) the signature payload.' }),
  };

  async run(): Promise<void> {
    const { buildBundle, buildPackBundle } = await import('../../src/policy/index.js');
    const { renderBuildReport } = await import('../../src/cli/render-policy-tools.js');
    const { argv } = await this.parse(PolicyBuild);
    const f = this.flags;
    const alg = f['signing-alg'];
    const scope = f.scope !== undefined ? { scope: f.scope } : {};
    const signing = f['signing-key'] !== undefined ? { signing: { key: f['signing-key'], alg, ...scope } } : {};
    const report =
      f.pack !== undefined
        ? await buildPackBundle(this.ctx, f.pack, { output: f.output, ...signing })
        : await buildBundle({
            paths: argv as string[],
            bundles: f.bundle ?? [],
            output: f.output,
            cwd: this.ctx.cwd,
            ...(f.revision !== undefined ? { revision: f.revision } : {}),
            ...(f.root !== undefined ? { roots: f.root } : {}),
            ...(f['verification-key'] !== undefined ? { verification: { key: f['verification-key'], alg, ...scope } } : {}),
            ...signing,
          });
    this.emit(report, renderBuildReport);
  }
}
