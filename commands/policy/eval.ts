import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { bundleVerification } from '../../src/cli/bundle-flags.js';

const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'] as const;

export default class PolicyEval extends BaseCommand<typeof PolicyEval> {
  static override summary = 'Evaluate a Rego query against policy and data files (like `opa eval`).';
  static override description =
    "-d loads .rego modules, .json/.yaml data files and directories with OPA's loading rules: a data file named directly is merged at the root of data, one inside a directory at its directory path (dir/a/b/data.json → data.a.b). `prefix:path` loads under data.prefix. --format json prints exactly what `opa eval --format json` prints.";
  static override examples = [
    "<%= config.bin %> policy eval -d policies/quota -i input.json 'data.quota.deny'",
    "<%= config.bin %> policy eval -d policy.rego -d data.json --format json 'data.example.allow'",
    "<%= config.bin %> policy eval -d policies/ -i input.yaml --explain 'data.budget.warn'",
    "<%= config.bin %> policy eval -b quota.tar.gz --verification-key public.pem -i input.json 'data.maestro.quota.deny'",
  ];
  static override args = {
    query: Args.string({ description: 'Rego query, e.g. data.quota.deny', required: true }),
  };
  static override flags = {
    data: Flags.string({ char: 'd', description: 'Policy or data file or directory (repeatable).', multiple: true, multipleNonGreedy: true }),
    bundle: Flags.string({
      char: 'b',
      description: 'OPA bundle: a directory or .tar.gz (repeatable; .manifest roots, data.json/data.yaml, .signatures.json).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'verification-key': Flags.string({
      description: "Verify -b bundles' .signatures.json: a PEM public key (file or text) or, for HS*, the secret.",
      helpValue: '<pem|secret>',
    }),
    'signing-alg': Flags.string({ description: 'Signature algorithm of --verification-key (as opa).', options: [...SIGNING_ALGS], default: 'RS256' }),
    scope: Flags.string({ description: 'Scope the bundle signature must carry (as opa --scope).' }),
    input: Flags.string({ char: 'i', description: 'Input document file (.json, .yaml).' }),
    'stdin-input': Flags.boolean({ char: 'I', description: 'Read the input document from stdin.', default: false, exclusive: ['input'] }),
    format: Flags.string({ char: 'f', description: 'Output format (--json means json).', options: ['json', 'pretty'], default: 'pretty' }),
    explain: Flags.boolean({ description: 'Show which rules produced each value, with bindings and file:line.', default: false }),
    strict: Flags.boolean({ char: 'S', description: 'Strict mode: compile checks and builtin errors raised.', default: false }),
    'v0-compatible': Flags.boolean({
      description: 'Read modules without `import rego.v1` as Rego v0 (as opa --v0-compatible); by default every module is Rego v1, as in OPA 1.x.',
      default: false,
    }),
    fail: Flags.boolean({ description: 'Exit 1 when the result is undefined (as opa eval --fail).', default: false, exclusive: ['fail-defined'] }),
    'fail-defined': Flags.boolean({ description: 'Exit 1 when the result is defined (as opa eval --fail-defined).', default: false }),
    timeout: Flags.string({ char: 't', description: 'Evaluation time limit, e.g. 5s or 500ms.', default: '5s' }),
    'max-input-bytes': Flags.integer({
      description: 'Refuse an input (-i or -I) larger than this many bytes, before parsing it. Default 33554432 (32 MiB).',
      min: 1,
    }),
  };

  async run(): Promise<void> {
    const { evalPolicy, stringifyJson, parseDataFile, parseDurationMs, assertInputSize } = await import('../../src/policy/index.js');
    const maxInputBytes = this.flags['max-input-bytes'];
    const { renderEvalPretty, renderPolicyErrors } = await import('../../src/cli/render-policy.js');
    const json = this.jsonMode || this.flags.format === 'json';
    const report = await evalPolicy({
      query: this.args.query,
      dataPaths: this.flags.data ?? [],
      bundlePaths: this.flags.bundle ?? [],
      ...bundleVerification(this.flags),
      ...(this.flags.input !== undefined ? { inputPath: this.flags.input } : {}),
      ...(this.flags['stdin-input'] ? { input: parseDataFile('<stdin>', await readStdin((n) => assertInputSize(n, maxInputBytes, '<stdin>')), true) } : {}),
      ...(maxInputBytes !== undefined ? { maxInputBytes } : {}),
      explain: this.flags.explain,
      strict: this.flags.strict,
      v0Compatible: this.flags['v0-compatible'],
      timeoutMs: parseDurationMs(this.flags.timeout, '--timeout'),
      cwd: this.ctx.cwd,
      nowNs: BigInt(this.ctx.clock.now()) * 1_000_000n,
      print: (line) => process.stderr.write(`${line}\n`),
    });
    if (json) process.stdout.write(`${stringifyJson(report.output, 2)}\n`);
    else if (report.output.errors) process.stderr.write(`${renderPolicyErrors(report.output.errors)}\n`);
    else process.stdout.write(`${renderEvalPretty(report.output)}\n`);
    const defined = (report.output.result?.length ?? 0) > 0;
    const failed = report.exitCode === 0 && ((this.flags.fail && !defined) || (this.flags['fail-defined'] && defined));
    this.finish(failed ? 1 : report.exitCode);
  }
}

/** Stdin, with `check(bytesSoFar)` after each chunk (it throws past the input size limit). */
async function readStdin(check: (bytes: number) => void): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    check(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
