/** tenantDay's UTC shortcut (no Intl, ADR 0033) gives the same day as the en-CA Intl formatter. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tenantDay } from '../../src/cost/day-window.js';

const intlDay = (ms: number) => {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}`;
};

describe('tenantDay in UTC', () => {
  it('matches the Intl formatter for any instant, around midnight and across the supported years', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(-3000, 0, 1), max: Date.UTC(12000, 0, 1) }), (ms) => {
        expect(tenantDay(ms)).toBe(intlDay(ms));
        expect(tenantDay(ms, 'UTC')).toBe(intlDay(ms));
        expect(tenantDay(ms, '')).toBe(intlDay(ms));
      }),
      { numRuns: 2000 },
    );
    const midnight = Date.UTC(2026, 10, 28);
    expect(tenantDay(midnight - 1)).toBe('2026-11-27');
    expect(tenantDay(midnight)).toBe('2026-11-28');
  });

  it('other zones still go through Intl', () => {
    expect(tenantDay(Date.parse('2026-01-01T03:00:00Z'), 'America/Denver')).toBe('2025-12-31');
  });
});
