/** Rego AST: terms, expressions, rules and modules, every node with its source location. */
import type { Location } from './errors.js';
import type { Value } from './value.js';

export type Term =
  | { type: 'scalar'; value: Value; loc: Location }
  /** `fn`: the name of a function used as a value (`with count as object.union_n`), never a variable. */
  | { type: 'var'; name: string; loc: Location; generated?: boolean; fn?: boolean }
  | { type: 'ref'; head: Term; path: Term[]; loc: Location }
  | { type: 'array'; items: Term[]; loc: Location }
  | { type: 'set'; items: Term[]; loc: Location }
  | { type: 'object'; items: Array<[Term, Term]>; loc: Location }
  | { type: 'arraycompr'; term: Term; body: Expr[]; loc: Location; captured?: string[] }
  | { type: 'setcompr'; term: Term; body: Expr[]; loc: Location; captured?: string[] }
  | { type: 'objectcompr'; key: Term; value: Term; body: Expr[]; loc: Location; captured?: string[] }
  /** A call: `op` is the dotted function name (builtin or data.x.f after resolution). */
  | { type: 'call'; op: string; opRef: Term; args: Term[]; loc: Location; infix?: boolean; operator?: boolean };

export type TermOf<K extends Term['type']> = Extract<Term, { type: K }>;

export interface With {
  target: Term;
  value: Term;
  loc: Location;
}

export type ExprBody =
  | { kind: 'term'; term: Term }
  | { kind: 'unify'; lhs: Term; rhs: Term }
  | { kind: 'assign'; lhs: Term; rhs: Term }
  | { kind: 'some'; vars: Array<TermOf<'var'>> }
  | { kind: 'somein'; key?: Term; value: Term; coll: Term }
  | { kind: 'every'; key?: Term; value: Term; domain: Term; body: Expr[]; captured?: string[] };

export type Expr = ExprBody & {
  negated: boolean;
  with: With[];
  loc: Location;
  /** Source text of the expression (for query results). */
  text?: string;
  /** Query expression: a `false` value is a result, not a failure (OPA captures query values). */
  capture?: boolean;
};

export type RuleKind = 'complete' | 'multi' | 'function';

export interface Rule {
  /** Head reference relative to data (after compile: absolute, starting with package path). */
  ref: Term[];
  kind: RuleKind;
  /** Function arguments. */
  args?: Term[];
  /** Value term (complete rules, object-generating rules, functions); undefined → true. */
  value?: Term;
  /** Element term of multi-value (partial set, `contains`) rules. */
  key?: Term;
  body: Expr[];
  isDefault: boolean;
  /** `:=` used in the head. */
  assign: boolean;
  elses: Rule[];
  loc: Location;
  /** Text of the head for explanations. */
  module?: Module;
  /** The body was written explicitly (not `p = 1` shorthand). */
  hasBody: boolean;
}

export interface Import {
  path: Term;
  alias?: string;
  loc: Location;
}

export interface Module {
  file: string;
  package: string[];
  packageLoc: Location;
  imports: Import[];
  rules: Rule[];
  /** Rego v1 syntax in force (import rego.v1, or default v1 parse). */
  v1: boolean;
}
