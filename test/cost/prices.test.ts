import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceTableError } from '../../src/cost/errors.js';
import { microRates, overlayTable, priceEntry, resolvePrices } from '../../src/cost/prices.js';
import { tempDir } from './helpers.js';

const ctxOf = (home: string) => ({ home, cwd: home });

describe('price table', () => {
  it('loads the built-in table with every class of the shell kind', () => {
    const p = resolvePrices(ctxOf(tempDir()));
    expect(p.sources).toEqual([]);
    expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const cls of ['small', 'medium', 'large', 'xlarge'] as const) {
      const e = priceEntry(p, 'shell', cls);
      expect(e.vcpuSecondUSD).toBeGreaterThan(0);
      expect(p.table.defaultSec[cls]).toBeGreaterThan(0);
    }
    expect(microRates(priceEntry(p, 'shell', 'small')).vcpuSecond).toBeCloseTo(100, 6);
  });

  it('overlays $MAESTRO_HOME/prices.json, then --prices, field by field', () => {
    const home = tempDir();
    writeFileSync(join(home, 'prices.json'), JSON.stringify({ kinds: { shell: { small: { baseFeeUSD: 0.001 } } } }));
    const extra = join(home, 'mine.json');
    writeFileSync(extra, JSON.stringify({ kinds: { shell: { small: { vcpuSecondUSD: 0.5 } } }, defaultSec: { small: 7 } }));
    const base = resolvePrices(ctxOf(tempDir()));
    const p = resolvePrices(ctxOf(home), 'mine.json');
    expect(p.sources).toEqual([join(home, 'prices.json'), extra]);
    const e = priceEntry(p, 'shell', 'small');
    expect(e).toEqual({ ...priceEntry(base, 'shell', 'small'), baseFeeUSD: 0.001, vcpuSecondUSD: 0.5 });
    expect(p.table.defaultSec.small).toBe(7);
    expect(p.digest).not.toBe(base.digest);
  });

  it('reports every semantic problem with file:line:col', () => {
    const home = tempDir();
    const file = join(home, 'bad.json');
    writeFileSync(file, '{\n  "kinds": {\n    "shell": {\n      "tiny": {},\n      "small": { "vcpuSecondUSD": -1, "bogus": 2 }\n    }\n  }\n}\n');
    let err: unknown;
    try {
      resolvePrices(ctxOf(home), file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PriceTableError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${file}:4:15: unknown resource class "tiny"`);
    expect(msg).toContain(`${file}:5:35: shell.small.vcpuSecondUSD must be a non-negative number of USD`);
    expect(msg).toContain(`${file}:5:48: unknown price "bogus"`);
    expect((err as PriceTableError).exitCode).toBe(2);
  });

  it('locates JSON syntax errors', () => {
    const home = tempDir();
    const file = join(home, 'syntax.json');
    writeFileSync(file, '{\n  "kinds": {,\n}');
    expect(() => resolvePrices(ctxOf(home), file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:2:13: invalid JSON`));
  });

  it('names a missing kind/class entry and a missing file', () => {
    const home = tempDir();
    const p = resolvePrices(ctxOf(home));
    expect(() => priceEntry(p, 'python', 'small')).toThrow(/no complete price for uses "python", class "small"/);
    expect(() => resolvePrices(ctxOf(home), 'nope.json')).toThrow(/cannot read the price table/);
    const t = overlayTable(p.table, { kinds: { python: { small: { vcpuSecondUSD: 1 } as never } } });
    expect(() => priceEntry({ ...p, table: t }, 'python', 'small')).toThrow(/no complete price/);
    mkdirSync(join(home, 'x'));
  });
});
