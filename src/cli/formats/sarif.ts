/**
 * SARIF 2.1.0 (OASIS): one run whose driver is maestro, one rule per ruleId, one result per failing,
 * erroring or warning case, with a physical location where the file (and line) is known.
 */
import type { CaseReport, CaseResult } from './formats.types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL = { fail: 'error', error: 'error', warn: 'warning' } as const;

function location(c: CaseResult): object[] {
  if (!c.file) return [];
  const region = c.line ? { region: { startLine: c.line, ...(c.column ? { startColumn: c.column } : {}) } } : {};
  return [{ physicalLocation: { artifactLocation: { uri: toUri(c.file) }, ...region } }];
}

/** A relative path stays relative (resolved against the checkout); separators become '/'. */
function toUri(file: string): string {
  return file.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
}

/**
 * The report as a SARIF 2.1.0 log object (JSON.stringify it to write).
 * @example JSON.stringify(writeSarif(report, '0.1.0'))
 */
export function writeSarif(report: CaseReport, version: string): object {
  const findings = report.cases.filter((c): c is CaseResult & { status: keyof typeof LEVEL } => c.status in LEVEL);
  const ruleIds = [...new Set(findings.map((c) => c.ruleId))].sort();
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'maestro',
            version,
            informationUri: 'https://github.com/maestro-conductor/maestro',
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        automationDetails: { id: `${report.tool}/` },
        results: findings.map((c) => ({
          ruleId: c.ruleId,
          ruleIndex: ruleIds.indexOf(c.ruleId),
          level: LEVEL[c.status],
          message: { text: `${c.suite}: ${c.name}: ${c.message ?? c.status}${c.detail ? `\n${c.detail}` : ''}` },
          locations: location(c),
        })),
      },
    ],
  };
}
