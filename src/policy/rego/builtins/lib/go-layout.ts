// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): tokenizer and formatter.
// Parsing lives in go-parse.ts. Semantics follow Go's time.Format (nextStdChunk).
import type { WallTime } from './civil-time.js';

/** A layout element: literal text or a standard chunk (Go's std* constants, by name). */
export type Chunk = { kind: 'lit'; text: string } | { kind: 'std'; std: Std; text: string; digits?: number; sep?: string };

export type Std =
  | 'LongMonth'
  | 'Month'
  | 'NumMonth'
  | 'ZeroMonth'
  | 'LongWeekDay'
  | 'WeekDay'
  | 'Day'
  | 'UnderDay'
  | 'ZeroDay'
  | 'UnderYearDay'
  | 'ZeroYearDay'
  | 'Hour'
  | 'Hour12'
  | 'ZeroHour12'
  | 'Minute'
  | 'ZeroMinute'
  | 'Second'
  | 'ZeroSecond'
  | 'LongYear'
  | 'Year'
  | 'PM'
  | 'pm'
  | 'TZ'
  | 'ISO8601TZ'
  | 'ISO8601SecondsTZ'
  | 'ISO8601ShortTZ'
  | 'ISO8601ColonTZ'
  | 'ISO8601ColonSecondsTZ'
  | 'NumTZ'
  | 'NumSecondsTz'
  | 'NumShortTZ'
  | 'NumColonTZ'
  | 'NumColonSecondsTZ'
  | 'FracSecond0'
  | 'FracSecond9';

/** Named layouts accepted by time.format's third element (OPA maps these names to Go constants). */
export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

export const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Prefix table checked in order at each position (longest alternatives first, as Go does).
const PREFIXES: Array<[string, Std]> = [
  ['January', 'LongMonth'],
  ['Jan', 'Month'],
  ['Monday', 'LongWeekDay'],
  ['Mon', 'WeekDay'],
  ['MST', 'TZ'],
  ['002', 'ZeroYearDay'],
  ['01', 'ZeroMonth'],
  ['02', 'ZeroDay'],
  ['03', 'ZeroHour12'],
  ['04', 'ZeroMinute'],
  ['05', 'ZeroSecond'],
  ['06', 'Year'],
  ['15', 'Hour'],
  ['1', 'NumMonth'],
  ['2006', 'LongYear'],
  ['2', 'Day'],
  ['__2', 'UnderYearDay'],
  ['_2', 'UnderDay'],
  ['3', 'Hour12'],
  ['4', 'Minute'],
  ['5', 'Second'],
  ['PM', 'PM'],
  ['pm', 'pm'],
  ['-070000', 'NumSecondsTz'],
  ['-07:00:00', 'NumColonSecondsTZ'],
  ['-0700', 'NumTZ'],
  ['-07:00', 'NumColonTZ'],
  ['-07', 'NumShortTZ'],
  ['Z070000', 'ISO8601SecondsTZ'],
  ['Z07:00:00', 'ISO8601ColonSecondsTZ'],
  ['Z0700', 'ISO8601TZ'],
  ['Z07:00', 'ISO8601ColonTZ'],
  ['Z07', 'ISO8601ShortTZ'],
];

const isDigit = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

// Go refuses "Mon" etc. when followed by a lower-case letter ("Month" is literal).
function stdAt(layout: string, i: number): Chunk | undefined {
  for (const [p, std] of PREFIXES) {
    if (!layout.startsWith(p, i)) continue;
    if ((std === 'Month' || std === 'WeekDay') && /[a-z]/.test(layout[i + p.length] ?? '') && !layout.startsWith(std === 'Month' ? 'January' : 'Monday', i)) {
      continue;
    }
    if (std === 'UnderDay' && layout.startsWith('_2006', i)) return undefined; // "_" literal, then 2006
    return { kind: 'std', std, text: p };
  }
  const c = layout[i];
  if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
    const ch = layout[i + 1]!;
    let j = i + 1;
    while (j < layout.length && layout[j] === ch) j++;
    if (!isDigit(layout, j)) {
      return { kind: 'std', std: ch === '0' ? 'FracSecond0' : 'FracSecond9', text: layout.slice(i, j), digits: j - i - 1, sep: c };
    }
  }
  return undefined;
}

const chunkCache = new Map<string, Chunk[]>();

/** Split a Go layout into literal text and standard chunks. */
export function tokenizeLayout(layout: string): Chunk[] {
  const hit = chunkCache.get(layout);
  if (hit) return hit;
  const out: Chunk[] = [];
  let lit = '';
  for (let i = 0; i < layout.length; ) {
    const c = stdAt(layout, i);
    if (c) {
      if (lit) out.push({ kind: 'lit', text: lit });
      lit = '';
      out.push(c);
      i += c.text.length;
    } else {
      lit += layout[i];
      i++;
    }
  }
  if (lit) out.push({ kind: 'lit', text: lit });
  if (chunkCache.size > 256) chunkCache.clear();
  chunkCache.set(layout, out);
  return out;
}

const pad = (n: number, width: number, ch = '0'): string => {
  const s = String(Math.abs(n)).padStart(width, ch);
  return n < 0 ? `-${s}` : s;
};

function formatZone(std: Std, offset: number): string {
  if (std.startsWith('ISO8601') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  const colon = std.includes('Colon') ? ':' : '';
  if (std.endsWith('ShortTZ')) return sign + hh;
  const withSec = std.endsWith('SecondsTZ') || std === 'NumSecondsTz';
  return sign + hh + colon + mm + (withSec ? colon + ss : '');
}

function formatFrac(c: Extract<Chunk, { kind: 'std' }>, nanos: number): string {
  const digits = String(nanos).padStart(9, '0').slice(0, c.digits);
  if (c.std === 'FracSecond0') return c.sep + digits;
  const trimmed = digits.replace(/0+$/, '');
  return trimmed ? c.sep + trimmed : '';
}

function formatStd(c: Extract<Chunk, { kind: 'std' }>, t: WallTime): string {
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (c.std) {
    case 'LongMonth':
      return LONG_MONTHS[t.month - 1]!;
    case 'Month':
      return LONG_MONTHS[t.month - 1]!.slice(0, 3);
    case 'NumMonth':
      return String(t.month);
    case 'ZeroMonth':
      return pad(t.month, 2);
    case 'LongWeekDay':
      return LONG_DAYS[t.weekday]!;
    case 'WeekDay':
      return LONG_DAYS[t.weekday]!.slice(0, 3);
    case 'Day':
      return String(t.day);
    case 'UnderDay':
      return pad(t.day, 2, ' ');
    case 'ZeroDay':
      return pad(t.day, 2);
    case 'UnderYearDay':
      return pad(t.yearDay, 3, ' ');
    case 'ZeroYearDay':
      return pad(t.yearDay, 3);
    case 'Hour':
      return pad(t.hour, 2);
    case 'Hour12':
      return String(h12);
    case 'ZeroHour12':
      return pad(h12, 2);
    case 'Minute':
      return String(t.minute);
    case 'ZeroMinute':
      return pad(t.minute, 2);
    case 'Second':
      return String(t.second);
    case 'ZeroSecond':
      return pad(t.second, 2);
    case 'LongYear':
      return pad(t.year, 4);
    case 'Year':
      return pad(((t.year % 100) + 100) % 100, 2);
    case 'PM':
      return t.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return t.hour >= 12 ? 'pm' : 'am';
    case 'TZ':
      return t.zone || formatZone('NumTZ', t.offset);
    case 'FracSecond0':
    case 'FracSecond9':
      return formatFrac(c, t.nanos);
    default:
      return formatZone(c.std, t.offset);
  }
}

/** Format a wall time with a Go layout, as Go's Time.Format. */
export function formatLayout(layout: string, t: WallTime): string {
  let out = '';
  for (const c of tokenizeLayout(layout)) out += c.kind === 'lit' ? c.text : formatStd(c, t);
  return out;
}
