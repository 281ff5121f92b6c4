/**
 * Seccomp profiles are data (src/runner/profiles/*.json): an allowlist of syscall names per profile
 * and a name → number table per architecture. This module loads and resolves them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunnerError } from './errors.js';

export const PROFILE_NAMES = ['default', 'strict'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const ARCHES = ['x86_64', 'aarch64'] as const;
export type SeccompArch = (typeof ARCHES)[number];

export interface SeccompProfile {
  name: ProfileName;
  description: string;
  /** Syscall names allowed (subject to the argument filters of the compiler). */
  allow: string[];
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');
const tableCache = new Map<SeccompArch, Record<string, number>>();

/** Loads a shipped profile by name. */
export function loadProfile(name: ProfileName): SeccompProfile {
  if (!PROFILE_NAMES.includes(name)) {
    throw new RunnerError('SECCOMP_PROFILE_UNKNOWN', `unknown seccomp profile "${name}"`, { kind: 'usage', hint: `use one of: ${PROFILE_NAMES.join(', ')}` });
  }
  const raw = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as SeccompProfile;
  return { name, description: raw.description, allow: raw.allow };
}

/** The syscall name → number table of an architecture. */
export function syscallTable(arch: SeccompArch): Record<string, number> {
  let t = tableCache.get(arch);
  if (!t) {
    const raw = JSON.parse(readFileSync(join(DIR, `syscalls-${arch}.json`), 'utf8')) as { syscalls: Record<string, number> };
    t = raw.syscalls;
    tableCache.set(arch, t);
  }
  return t;
}

/** Maps Node's process.arch to a seccomp architecture, or throws for unsupported machines. */
export function hostArch(nodeArch: string = process.arch): SeccompArch {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new RunnerError('SECCOMP_ARCH_UNSUPPORTED', `no seccomp syscall table for architecture ${nodeArch}`, {
    hint: 'maestro ships tables for x86_64 and aarch64; use --sandbox none only if you accept running unconfined',
  });
}
