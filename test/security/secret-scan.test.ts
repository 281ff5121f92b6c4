// `npm run scan:secrets` blocks: a temp copy of the tree with a planted AWS key and private key fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SECRETLINT = join(ROOT, 'node_modules', '.bin', 'secretlint');

function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-secrets-'));
  for (const f of ['.secretlintrc.json', '.secretlintignore', 'package.json', 'README.md', 'src', 'policies', 'fixtures'])
    cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  return dir;
}

function scan(dir: string) {
  const r = spawnSync(SECRETLINT, ['--secretlintrc', join(dir, '.secretlintrc.json'), '--secretlintignore', join(dir, '.secretlintignore'), '**/*'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('secret scanning (secretlint, recommended preset)', () => {
  it('the tree as committed is clean', () => {
    const r = scan(copyTree());
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });
  it('a planted AWS secret key and a private key fail the scan, naming both files', () => {
    const dir = copyTree();
    // Built at run time so this test file itself holds no secret-shaped literal.
    const awsSecret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYzEXAMPLEKQ'].join('/');
    writeFileSync(join(dir, 'src', 'leak.ts'), `export const cfg = "aws_secret_access_key = ${awsSecret}";\n`);
    const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'fixtures', 'deploy.pem'), pem);
    const r = scan(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/leak\.ts[\s\S]*AWSSecretAccessKey/);
    expect(r.out).toMatch(/deploy\.pem[\s\S]*PrivateKey/);
    expect(r.out).not.toContain(awsSecret); // findings are masked
  });
});
