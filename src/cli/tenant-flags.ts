/** Flags shared by `tenants create` and `tenants set`. */
import * as Flags from '@oclif/core/flags';

export const tenantSettingFlags = {
  'daily-budget': Flags.string({ description: 'Daily budget in USD (e.g. 500 or 12.50).' }),
  'max-concurrent': Flags.string({ description: 'Maximum concurrent (queued + running) executions.' }),
  'day-timezone': Flags.string({ description: 'IANA time zone of the budget day window (default UTC).' }),
  'require-sandbox': Flags.boolean({ description: 'Require the sandbox for runs (default on); --no-require-sandbox allows --sandbox none.', allowNo: true }),
  'cost-estimate': Flags.string({
    description: "The estimate the budget admits runs with: 'point' (default) or 'high' (the interval's upper end, for strict budgets).",
    options: ['point', 'high'],
  }),
};

export function tenantSettings(flags: {
  'daily-budget'?: string;
  'max-concurrent'?: string;
  'day-timezone'?: string;
  'require-sandbox'?: boolean;
  'cost-estimate'?: string;
}) {
  return {
    costEstimate: flags['cost-estimate'],
    dailyBudget: flags['daily-budget'],
    maxConcurrent: flags['max-concurrent'],
    dayTimezone: flags['day-timezone'],
    requireSandbox: flags['require-sandbox'],
  };
}
