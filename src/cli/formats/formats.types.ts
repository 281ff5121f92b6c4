/**
 * The one shape every machine format is written from: a list of cases (a test, a check, a policy
 * verdict, a task) with an outcome and, where known, a file and line. Adapters turn the engines' plain
 * results into a CaseReport; the writers (junit, github, sarif) never see an engine type.
 */
export type MachineFormat = 'junit' | 'github' | 'sarif';

export const MACHINE_FORMATS: readonly MachineFormat[] = ['junit', 'github', 'sarif'];

export type CaseStatus = 'pass' | 'fail' | 'error' | 'skip' | 'warn';

export interface CaseResult {
  /** Groups cases (JUnit testsuite), e.g. `data.quota`, `manifest wf.yaml`, `execution ex_…`. */
  suite: string;
  /** The case's name (JUnit testcase name), e.g. `test_deny_over_budget`, `tasks[1].needs[0]`. */
  name: string;
  status: CaseStatus;
  /** Stable rule id for SARIF and the GitHub title, e.g. `MANIFEST_UNKNOWN_NEED`, `policy-test`. */
  ruleId: string;
  /** One-line message for humans (required for anything but a pass). */
  message?: string;
  /** Longer text (the last lines of a failed task's output, a test's print() lines). */
  detail?: string;
  file?: string;
  line?: number;
  column?: number;
  durationSec?: number;
}

export interface CaseReport {
  /** The command that produced the report, e.g. `maestro policy test`. */
  tool: string;
  cases: CaseResult[];
}
