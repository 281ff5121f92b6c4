// Builtin family: regex (Go RE2 syntax, validated by translation, matched in linear time by re2js).

import type { Value } from '../value.js';
import { GlobsMatchError, globsIntersect } from './lib/glob-intersect.js';
import { findAll, replaceAll, split } from './lib/go-match.js';
import { compileGoRegex, type GoRegex, GoRegexError } from './lib/go-regex.js';
import { templateRegex } from './lib/regex-template.js';
import { argInt, argString, BuiltinError, registerBuiltins } from './registry.js';

/** Compile for builtin `name`, turning syntax errors into builtin errors with Go's wording. */
function compile(name: string, pattern: string): GoRegex {
  try {
    return compileGoRegex(pattern);
  } catch (e) {
    if (e instanceof GoRegexError) throw new BuiltinError(`${name}: ${e.message}`);
    throw e;
  }
}

const matches = (g: GoRegex, s: string): boolean => {
  g.re.lastIndex = 0;
  return g.re.test(s);
};

function regexMatch(name: string, a: Value[]): boolean {
  const [p, s] = [argString(a, 0, name), argString(a, 1, name)];
  return matches(compile(name, p), s);
}

registerBuiltins('regex', [
  {
    name: 'regex.is_valid',
    arity: 1,
    // OPA answers false (never an error) for anything that is not a valid pattern string.
    fn: ([p]) => {
      if (typeof p !== 'string') return false;
      try {
        compileGoRegex(p);
        return true;
      } catch {
        return false;
      }
    },
  },
  { name: 'regex.match', arity: 2, fn: (a) => regexMatch('regex.match', a) },
  { name: 're_match', arity: 2, fn: (a) => regexMatch('re_match', a) }, // deprecated v0 spelling
  {
    name: 'regex.find_n',
    arity: 3,
    fn: (a) => {
      const [p, s, n] = [argString(a, 0, 'regex.find_n'), argString(a, 1, 'regex.find_n'), argInt(a, 2, 'regex.find_n')];
      return findAll(compile('regex.find_n', p), s, n).map((m) => m[0]);
    },
  },
  {
    name: 'regex.find_all_string_submatch_n',
    arity: 3,
    fn: (a) => {
      const name = 'regex.find_all_string_submatch_n';
      const [p, s, n] = [argString(a, 0, name), argString(a, 1, name), argInt(a, 2, name)];
      return findAll(compile(name, p), s, n).map((m) => [...m].map((x) => x ?? ''));
    },
  },
  {
    name: 'regex.split',
    arity: 2,
    fn: (a) => {
      const [p, s] = [argString(a, 0, 'regex.split'), argString(a, 1, 'regex.split')];
      return split(compile('regex.split', p), p, s);
    },
  },
  {
    name: 'regex.replace',
    arity: 3,
    fn: (a) => {
      const [s, p, v] = [0, 1, 2].map((i) => argString(a, i, 'regex.replace')) as [string, string, string];
      return replaceAll(compile('regex.replace', p), s, v);
    },
  },
  {
    name: 'regex.template_match',
    arity: 4,
    fn: (a) => {
      const name = 'regex.template_match';
      const [tpl, value, start, end] = [0, 1, 2, 3].map((i) => argString(a, i, name)) as [string, string, string, string];
      return matches(compile(name, templateRegex(name, tpl, start, end)), value);
    },
  },
  {
    name: 'regex.globs_match',
    arity: 2,
    fn: (a) => {
      try {
        return globsIntersect(argString(a, 0, 'regex.globs_match'), argString(a, 1, 'regex.globs_match'));
      } catch (e) {
        if (e instanceof GlobsMatchError) throw new BuiltinError(`regex.globs_match: ${e.message}`);
        throw e;
      }
    },
  },
]);
