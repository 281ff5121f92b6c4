/**
 * Decide whether an engine error is "the error the case is about". The expected text is the
 * reference's wording; it is mapped to a category, and the engine's error must have a code of
 * that category (and, for builtin errors, name the same builtin). Errors from missing support
 * (undefined function for a builtin the case expects to exist) do not match.
 */
import type { RegoError } from '../errors.js';

interface Category {
  name: string;
  test: RegExp;
  codes: string[];
  /** The engine message must match this. */
  message?: RegExp;
  /** The builtin named in backticks must appear in the engine message. */
  namesBuiltin?: boolean;
}

const CATEGORIES: Category[] = [
  {
    name: 'parse error',
    test: /keyword is required|expecting EOF|expecting `\)`|unexpected keyword|invalid whitespace|unary - can only|rule must have a body|in default value|import path must begin/,
    codes: ['rego_parse_error'],
  },
  {
    name: 'declaration error',
    test: /used before definition|requires left-hand side to have bindable|cannot be shadowed|shadows previous import/,
    codes: ['rego_compile_error'],
  },
  { name: 'unknown function', test: /could not find function/, codes: ['rego_type_error'], message: /undefined function|deprecated built-in function calls/ },
  { name: 'arity error', test: /expects \d+ arguments?/, codes: ['rego_type_error'], message: /arity mismatch/, namesBuiltin: true },
  { name: 'collection type error', test: /`some \.\. in collection` expects/, codes: ['eval_type_error', 'rego_type_error'], message: /some \.\. in/ },
  {
    name: 'match error',
    test: /mismatch in number of array elements|object literal keys mismatch|not found in left-hand side|field count mismatch|incompatible destructuring|Cannot bind pattern/,
    codes: ['rego_type_error'],
    message: /match error/,
  },
  {
    name: 'conflict',
    test: /conflicts with|multiple outputs|generated multiple times/,
    codes: ['eval_conflict_error', 'rego_type_error', 'rego_compile_error'],
    message: /conflict|multiple outputs|redeclared|unique/,
  },
  { name: 'recursion', test: /recursion/, codes: ['rego_recursion_error'] },
  {
    name: 'builtin value error',
    test: /could not parse|modulo by zero|divide by zero|modulo on floating|no argument specified|spaces not allowed/,
    codes: ['eval_builtin_error', 'eval_type_error'],
    namesBuiltin: true,
  },
  {
    name: 'builtin type error',
    test: /expects .*argument|requires .*argument|must be integer|expects base|Got `.*` instead|expects `ns`|expects 3rd element|array\/set of strings/,
    codes: ['eval_type_error', 'rego_type_error', 'eval_builtin_error'],
    message: /operand|must be|expects|invalid/,
    namesBuiltin: true,
  },
];

/** Regorus names of operators → OPA builtin names. */
const ALIASES: Record<string, string> = { add: 'plus', sub: 'minus', mod: 'rem' };

export function categoryOf(expected: string): Category | undefined {
  return CATEGORIES.find((c) => c.test.test(expected));
}

/** Does `err` fail for the reason described by `expected`? */
export function errorMatches(expected: string, err: RegoError): { ok: boolean; category: string } {
  const cat = categoryOf(expected);
  if (!cat) return { ok: false, category: 'unclassified' };
  const ok = err.errors.some((e) => {
    if (!cat.codes.includes(e.code)) return false;
    if (cat.message && !cat.message.test(e.message)) return false;
    if (e.code === 'rego_type_error' && /undefined function/.test(e.message) && cat.name !== 'unknown function') return false;
    if (cat.namesBuiltin) {
      const m = /`([a-z_][a-z0-9_.]*)`/.exec(expected);
      if (m && !/^(ns|some)$/.test(m[1]!)) {
        const name = ALIASES[m[1]!] ?? m[1]!;
        if (!e.message.includes(name)) return false;
      }
    }
    return true;
  });
  return { ok, category: cat.name };
}
