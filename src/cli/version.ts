/**
 * `maestro --version`: oclif's user agent line, `<name>/<version> <platform>-<arch> node-<version>`,
 * built without oclif for the start-up fast path (ADR 0033). bin/run.js loads this module alone, so it
 * imports only Node built-ins.
 */
import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

/** True on Windows Subsystem for Linux, where oclif reports the platform as `wsl` (the fast path then steps aside). */
export function isWsl(): boolean {
  if (platform() !== 'linux') return false;
  if (release().toLowerCase().includes('microsoft')) return true;
  try {
    return readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft');
  } catch {
    return false;
  }
}

/** The line `maestro --version` prints (without the newline). */
export function userAgent(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version?: string };
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  return `${pkg.name}/${pkg.version || '0.0.0'} ${platform()}-${cpu} node-${process.version}`;
}

/**
 * Prints the version when oclif would print exactly this (argv starts with --version, no DEBUG output,
 * not WSL) and returns true; otherwise returns false and prints nothing.
 */
export function printVersion(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (argv[0] !== '--version' || env.DEBUG || isWsl()) return false;
  process.stdout.write(`${userAgent()}\n`);
  return true;
}
