/** Evaluation state: variable frames, `with` overlays, caches, limits. */
import type { Term } from '../ast.js';
import { regoError, type Location } from '../errors.js';
import { RObject, type Value } from '../value.js';

/** Continuation: return true to stop the enumeration. */
export type Cont = () => boolean;
export type ValCont = (v: Value) => boolean;

/** One scope of variable bindings; comprehension and every bodies chain to their parent. */
export class Frame {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Frame) {}
  get(name: string): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking the parent chain
    for (let f: Frame | undefined = this; f; f = f.parent) {
      const v = f.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/** What `with` can replace; a new state is pushed for each `with` expression. */
export interface EvalState {
  input: Value | undefined;
  data: RObject;
  /** Node keys (data.a.b) whose rules are masked by `with data...`. */
  masked: Set<string> | undefined;
  /** Function name → replacement (a function name term or a value term). */
  fnOverrides: Map<string, { term: Term; value?: Value }> | undefined;
  /** Rule node values (key → value; undefined result stored as NONE). */
  cache: Map<string, Value | typeof NONE | typeof BUSY>;
  fnCache: Map<string, Value | typeof NONE>;
}

export const NONE = Symbol('undefined');
export const BUSY = Symbol('in-progress');

export class Limits {
  steps = 0;
  constructor(
    readonly maxSteps: number,
    readonly deadline: number,
  ) {}
  /** Count one step; throw eval_limit_error past the step or time budget. */
  tick(loc?: Location): void {
    this.steps++;
    if (this.steps > this.maxSteps) {
      throw regoError('eval_limit_error', `evaluation exceeded the step limit of ${this.maxSteps} steps`, loc);
    }
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) {
      throw regoError('eval_limit_error', `evaluation exceeded the time limit (${this.steps} steps)`, loc);
    }
  }
}

/** Copy-on-write set of a nested value at a path of string keys (creating objects as needed). */
export function setPath(root: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base = root instanceof RObject ? new RObject(root.entries()) : new RObject();
  base.set(head!, setPath(base.get(head!), rest, value));
  return base;
}
