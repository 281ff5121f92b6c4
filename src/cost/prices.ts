/**
 * The price table: data keyed by `uses` kind and resource class. The built-in table
 * (src/cost/prices.json) is overlaid by $MAESTRO_HOME/prices.json, then by `--prices <file>`;
 * an overlay may name only the entries and fields it changes. Errors are located (file:line:col).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'yaml';

// The YAML parser (for located errors in price files) loads only when a price file is read, keeping
// it off the start-up path of commands that merely sum costs (whoami, status).
const requireLazy = createRequire(import.meta.url);
const yaml = (): typeof import('yaml') => requireLazy('yaml') as typeof import('yaml');

import type { Context } from '../core/context.js';
import { RESOURCE_CLASSES, type ResourceClass } from '../manifest/manifest.types.js';
import { PriceTableError } from './errors.js';
import { MICROS_PER_USD } from './money.js';

/** The four prices of one (kind, class) entry, in USD. */
export interface PriceEntry {
  vcpuSecondUSD: number;
  gbSecondUSD: number;
  gbWrittenUSD: number;
  baseFeeUSD: number;
}

export const PRICE_FIELDS = ['vcpuSecondUSD', 'gbSecondUSD', 'gbWrittenUSD', 'baseFeeUSD'] as const;

export interface PriceTable {
  version: 1;
  currency: 'USD';
  kinds: Record<string, Partial<Record<ResourceClass, PriceEntry>>>;
  /** The default time guess (seconds) per resource class, when a task has no history and no expectedSec. */
  defaultSec: Record<ResourceClass, number>;
}

/** A table ready to use, with where it came from and a digest of its canonical form. */
export interface ResolvedPrices {
  table: PriceTable;
  /** Files overlaid on the built-in table, in order. */
  sources: string[];
  /** sha256:<hex> of the canonical table. */
  digest: string;
}

/** Rates of one entry in micro-dollars per unit (fractional), used by the arithmetic. */
export interface MicroRates {
  vcpuSecond: number;
  gbSecond: number;
  gbWritten: number;
  baseFee: number;
}

const BUILTIN = join(dirname(fileURLToPath(import.meta.url)), 'prices.json');

/**
 * Resolve the price table for a context: built-in ← $MAESTRO_HOME/prices.json ← `file` (when given).
 * @example
 *   const prices = resolvePrices(ctx, flags.prices); // throws PriceTableError with file:line:col
 */
export function resolvePrices(ctx: Pick<Context, 'home' | 'cwd'>, file?: string): ResolvedPrices {
  let table = parsePriceFile(BUILTIN, readFileSync(BUILTIN, 'utf8'), false) as PriceTable;
  const sources: string[] = [];
  const home = join(ctx.home, 'prices.json');
  const overlays = existsSync(home) ? [home] : [];
  if (file !== undefined) overlays.push(resolve(ctx.cwd, file));
  for (const path of overlays) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new PriceTableError('PRICES_UNREADABLE', `cannot read the price table ${path}: ${(cause as Error).message}`, {
        cause,
        hint: 'check the --prices path',
      });
    }
    table = overlayTable(table, parsePriceFile(path, text, true));
    sources.push(path);
  }
  return { table, sources, digest: tableDigest(table) };
}

/** Parse and validate one price file; an overlay may be partial. Throws a located PriceTableError. */
export function parsePriceFile(path: string, text: string, partial: boolean): Partial<PriceTable> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const m = /position (\d+)/.exec((cause as Error).message);
    const at = m ? locate(text, Number(m[1])) : '1:1';
    throw new PriceTableError('PRICES_INVALID_JSON', `${path}:${at}: invalid JSON: ${(cause as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, {
      cause,
    });
  }
  const problems = checkTable(data, partial);
  if (problems.length > 0) {
    const { LineCounter, parseDocument } = yaml();
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    const lines = problems.map((p) => {
      const node = findNode(doc.contents as Node | null, p.path);
      const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
      return `${path}:${pos.line}:${pos.col}: ${p.message}`;
    });
    throw new PriceTableError('PRICES_INVALID', `invalid price table: ${lines.join('; ')}`, {
      hint: 'each entry is kinds.<uses>.<class>.{vcpuSecondUSD, gbSecondUSD, gbWrittenUSD, baseFeeUSD}: non-negative numbers',
      details: { problems: lines },
    });
  }
  return data as Partial<PriceTable>;
}

interface Problem {
  path: string[];
  message: string;
}

// Structural checks; returns every problem (not just the first).
function checkTable(data: unknown, partial: boolean): Problem[] {
  const out: Problem[] = [];
  if (!isObject(data)) return [{ path: [], message: 'the price table must be a JSON object' }];
  for (const key of Object.keys(data)) {
    if (!['version', 'currency', 'notes', 'kinds', 'defaultSec'].includes(key)) out.push({ path: [key], message: `unknown field "${key}"` });
  }
  if (data.version !== undefined && data.version !== 1) out.push({ path: ['version'], message: 'version must be 1' });
  if (data.currency !== undefined && data.currency !== 'USD') out.push({ path: ['currency'], message: 'currency must be "USD"' });
  if (!partial && !isObject(data.kinds)) out.push({ path: [], message: 'missing "kinds"' });
  if (data.kinds !== undefined) checkKinds(data.kinds, partial, out);
  if (data.defaultSec !== undefined) {
    if (!isObject(data.defaultSec)) out.push({ path: ['defaultSec'], message: 'defaultSec must be an object keyed by resource class' });
    else {
      for (const [cls, v] of Object.entries(data.defaultSec)) {
        if (!isClass(cls)) out.push({ path: ['defaultSec', cls], message: `unknown resource class "${cls}" (expected ${RESOURCE_CLASSES.join(', ')})` });
        else if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
          out.push({ path: ['defaultSec', cls], message: `defaultSec.${cls} must be a positive number of seconds` });
      }
    }
  }
  return out;
}

function checkKinds(kinds: unknown, partial: boolean, out: Problem[]): void {
  if (!isObject(kinds)) {
    out.push({ path: ['kinds'], message: 'kinds must be an object keyed by `uses` kind' });
    return;
  }
  for (const [kind, classes] of Object.entries(kinds)) {
    if (!isObject(classes)) {
      out.push({ path: ['kinds', kind], message: `kinds.${kind} must be an object keyed by resource class` });
      continue;
    }
    for (const [cls, entry] of Object.entries(classes)) {
      const at = ['kinds', kind, cls];
      if (!isClass(cls)) out.push({ path: at, message: `unknown resource class "${cls}" (expected ${RESOURCE_CLASSES.join(', ')})` });
      else if (!isObject(entry)) out.push({ path: at, message: `kinds.${kind}.${cls} must be an object of prices` });
      else checkEntry(entry, at, partial, out);
    }
  }
}

function checkEntry(entry: Record<string, unknown>, at: string[], partial: boolean, out: Problem[]): void {
  for (const [field, v] of Object.entries(entry)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(field)) {
      out.push({ path: [...at, field], message: `unknown price "${field}" (expected ${PRICE_FIELDS.join(', ')})` });
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      out.push({ path: [...at, field], message: `${at.slice(1).join('.')}.${field} must be a non-negative number of USD` });
    }
  }
  if (!partial) {
    for (const f of PRICE_FIELDS) if (!(f in entry)) out.push({ path: at, message: `${at.slice(1).join('.')} is missing "${f}"` });
  }
}

/** Overlay a (partial) table onto a base table, field by field. */
export function overlayTable(base: PriceTable, over: Partial<PriceTable>): PriceTable {
  const kinds: PriceTable['kinds'] = structuredClone(base.kinds);
  for (const [kind, classes] of Object.entries(over.kinds ?? {})) {
    kinds[kind] ??= {};
    for (const [cls, entry] of Object.entries(classes ?? {}) as Array<[ResourceClass, Partial<PriceEntry>]>) {
      const merged = { ...(kinds[kind]![cls] ?? {}), ...entry };
      kinds[kind]![cls] = merged as PriceEntry;
    }
  }
  return { version: 1, currency: 'USD', kinds, defaultSec: { ...base.defaultSec, ...(over.defaultSec ?? {}) } };
}

/** The entry for (kind, class), or a PriceTableError naming what is missing. */
export function priceEntry(prices: ResolvedPrices, kind: string, cls: ResourceClass): PriceEntry {
  const entry = prices.table.kinds[kind]?.[cls];
  if (!entry || PRICE_FIELDS.some((f) => typeof entry[f] !== 'number')) {
    const where = prices.sources.length ? prices.sources.join(', ') : 'the built-in table';
    throw new PriceTableError('PRICE_MISSING', `no complete price for uses "${kind}", class "${cls}" in ${where}`, {
      hint: `add kinds.${kind}.${cls} with ${PRICE_FIELDS.join(', ')} to $MAESTRO_HOME/prices.json`,
    });
  }
  return entry;
}

/** Convert an entry's USD prices to micro-dollar rates. */
export function microRates(entry: PriceEntry): MicroRates {
  return {
    vcpuSecond: entry.vcpuSecondUSD * MICROS_PER_USD,
    gbSecond: entry.gbSecondUSD * MICROS_PER_USD,
    gbWritten: entry.gbWrittenUSD * MICROS_PER_USD,
    baseFee: entry.baseFeeUSD * MICROS_PER_USD,
  };
}

function tableDigest(table: PriceTable): string {
  return `sha256:${createHash('sha256').update(canonicalJson(table)).digest('hex')}`;
}

/** JSON with object keys sorted (stable digests). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function findNode(node: Node | null, path: string[]): Node | null {
  let cur: Node | null = node;
  for (const key of path) {
    if (!cur || !yaml().isMap(cur)) return cur;
    const pair = cur.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    if (!pair) return cur;
    cur = (pair.value as Node | null) ?? (pair.key as Node);
  }
  return cur;
}

function locate(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isClass(v: string): v is ResourceClass {
  return (RESOURCE_CLASSES as readonly string[]).includes(v);
}
