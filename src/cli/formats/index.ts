/**
 * Machine formats for CI: `--format junit|github|sarif`. Commands adapt their engine result to a
 * CaseReport (adapters.ts) and print `writeFormat(format, report)`.
 * @example process.stdout.write(writeFormat('junit', fromPolicyTests(report.results)))
 */

import type { CaseReport, MachineFormat } from './formats.types.js';
import { writeGitHub } from './github.js';
import { writeJUnit } from './junit.js';
import { writeSarif } from './sarif.js';

export { fromDecision, fromExecution, fromManifestValidation, fromPolicyTests, fromVerify } from './adapters.js';
export { type CaseReport, type CaseResult, type CaseStatus, MACHINE_FORMATS, type MachineFormat } from './formats.types.js';
export { escapeData, escapeProperty, writeGitHub } from './github.js';
export { writeJUnit, xmlEscape } from './junit.js';
export { SARIF_SCHEMA_URI, writeSarif } from './sarif.js';

/** The report in the format, as text ending in a newline (SARIF names the package version). */
export async function writeFormat(format: MachineFormat, report: CaseReport): Promise<string> {
  if (format === 'junit') return writeJUnit(report);
  if (format === 'github') return writeGitHub(report);
  const { maestroVersion } = await import('../../receipts/statement.js');
  return `${JSON.stringify(writeSarif(report, maestroVersion()), null, 2)}\n`;
}

/** True when the --format value is a machine format (not json or pretty). */
export function isMachineFormat(f: string | undefined): f is MachineFormat {
  return f === 'junit' || f === 'github' || f === 'sarif';
}
