/** sprintf with Go fmt verbs (%v %s %d %f %e %g %x %X %o %b %q %t %%, width, precision, flags). */
import { formatRego, isInteger, toBigInt, type Value } from '../value.js';
import { argArray, argString, type BuiltinContext, charge, registerBuiltins } from './registry.js';

interface Spec {
  flags: string;
  width?: number;
  prec?: number;
  verb: string;
}

/** Go's %v for a float64: shortest digits, exponent form outside [1e-4, 1e21). */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 21) return goExp(x.toExponential());
  return String(x);
}

/** Go's %.<prec>f: exact binary value rounded half-to-even (JS toFixed rounds ties up). */
export function goFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return goFloat(x);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = expBits - 1075;
  if (expBits === 0) exp = -1074;
  else mant |= 1n << 52n;
  let q: bigint;
  const scaled = mant * 10n ** BigInt(prec);
  if (exp >= 0) q = scaled << BigInt(exp);
  else {
    const den = 1n << BigInt(-exp);
    q = scaled / den;
    const r2 = (scaled % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  }
  let digits = q.toString().padStart(prec + 1, '0');
  if (prec > 0) digits = `${digits.slice(0, -prec)}.${digits.slice(-prec)}`;
  return (neg ? '-' : '') + digits;
}

/** JS exponent text (1e-7) → Go (1e-07). */
function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** %v text of a value (strings raw, composites in Rego syntax). */
export function plainText(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : goFloat(v);
  if (typeof v === 'bigint') return v.toString();
  return formatRego(v);
}

function fmtNumber(v: Value, spec: Spec): string {
  const prec = spec.prec;
  if (typeof v !== 'number' && typeof v !== 'bigint') return `%!${spec.verb}(${typeof v === 'string' ? `string=${v}` : formatRego(v)})`;
  const big = isInteger(v) ? toBigInt(v)! : undefined;
  const x = typeof v === 'bigint' ? Number(v) : v;
  switch (spec.verb) {
    case 'd':
      return big !== undefined ? big.toString() : `%!d(float64=${goFloat(x)})`;
    case 'f':
    case 'F':
      if (big !== undefined && (prec ?? 6) >= 0) return big.toString() + ((prec ?? 6) > 0 ? `.${'0'.repeat(prec ?? 6)}` : '');
      return goFixed(x, prec ?? 6);
    case 'e':
    case 'E': {
      const s = goExp(x.toExponential(prec ?? 6));
      return spec.verb === 'E' ? s.toUpperCase() : s;
    }
    case 'g':
    case 'G':
      return prec === undefined ? goFloat(x) : goExp(String(Number(x.toPrecision(prec))));
    case 'x':
    case 'X': {
      const s = big !== undefined ? (big < 0n ? `-${(-big).toString(16)}` : big.toString(16)) : x.toString(16);
      return spec.verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return big !== undefined ? big.toString(8) : `%!o(float64=${goFloat(x)})`;
    case 'b':
      return big !== undefined ? big.toString(2) : `%!b(float64=${goFloat(x)})`;
    default:
      return plainText(v);
  }
}

function fmtOne(v: Value, spec: Spec): string {
  switch (spec.verb) {
    case 'v':
      return plainText(v);
    case 's':
      return typeof v === 'string' ? (spec.prec !== undefined ? [...v].slice(0, spec.prec).join('') : v) : plainText(v);
    case 'q':
      return typeof v === 'string' ? JSON.stringify(v) : plainText(v);
    case 't':
      return typeof v === 'boolean' ? String(v) : `%!t(${plainText(v)})`;
    case 'x':
    case 'X':
      if (typeof v === 'string') {
        const hex = Buffer.from(v, 'utf8').toString('hex');
        return spec.verb === 'X' ? hex.toUpperCase() : hex;
      }
      return fmtNumber(v, spec);
    default:
      return fmtNumber(v, spec);
  }
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  let out = s;
  if (numeric && spec.flags.includes('+') && !out.startsWith('-')) out = `+${out}`;
  else if (numeric && spec.flags.includes(' ') && !out.startsWith('-')) out = ` ${out}`;
  const w = spec.width ?? 0;
  if (out.length >= w) return out;
  if (spec.flags.includes('-')) return out + ' '.repeat(w - out.length);
  if (spec.flags.includes('0') && numeric) {
    const sign = /^[+\- ]/.test(out) ? out[0]! : '';
    return sign + '0'.repeat(w - out.length) + out.slice(sign.length);
  }
  return ' '.repeat(w - out.length) + out;
}

/** An unused argument as Go's fmt shows it: its Go type (as OPA passes it) and its text. */
function extraText(v: Value): string {
  if (typeof v === 'bigint') return `*big.Int=${v}`;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? `int64=${v}` : Number.isInteger(v) ? `*big.Int=${BigInt(v)}` : `float64=${plainText(v)}`;
  return `string=${plainText(v)}`;
}

/** Go-style sprintf over Rego values. */
export function sprintf(format: string, args: Value[], bctx?: BuiltinContext): string {
  let out = '';
  let argi = 0;
  const re = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const spec: Spec = { flags: m[1] ?? '', verb: m[4]! };
    if (m[2] !== undefined) spec.width = Number(m[2]);
    if (m[3] !== undefined) spec.prec = m[3] === '' ? 0 : Number(m[3]);
    charge(bctx, (spec.width ?? 0) + (spec.prec ?? 0), 'sprintf'); // %1000000000d pads before anything else
    if (spec.verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${spec.verb}(MISSING)`; // Go's fmt marks a verb without an argument
      continue;
    }
    const v = args[argi++]!;
    const numeric = typeof v === 'number' || typeof v === 'bigint';
    out += pad(fmtOne(v, spec), spec, numeric);
  }
  out += format.slice(last);
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map(extraText).join(', ')})`;
  return out;
}

registerBuiltins('sprintf', [{ name: 'sprintf', arity: 2, fn: (args, bctx) => sprintf(argString(args, 0, 'sprintf'), argArray(args, 1, 'sprintf'), bctx) }]);
