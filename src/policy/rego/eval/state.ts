/** Evaluation state: variable frames, `with` overlays, caches, limits. */
import type { Term } from '../ast.js';
import { type Location, regoError } from '../errors.js';
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

/** Default size limit: elements and characters built in one evaluation (about 0.5-1 GB at most). */
export const DEFAULT_MAX_BUILT = 64_000_000;

export const NONE = Symbol('undefined');
export const BUSY = Symbol('in-progress');

export class Limits {
  steps = 0;
  /** Elements and characters built by builtins and comprehensions so far. */
  built = 0;
  private sinceClock = 0;
  constructor(
    readonly maxSteps: number,
    readonly deadline: number,
    readonly maxBuilt = DEFAULT_MAX_BUILT,
  ) {}

  /**
   * Charge a collection or string about to be built (before it is built, so a huge request fails
   * cleanly instead of exhausting memory): each 16 units cost a step, all count against maxBuilt.
   * Returns the message of the limit crossed, if any.
   */
  build(units: number, what: string): string | undefined {
    this.built += units;
    this.steps += Math.ceil(units / 16);
    if (this.built > this.maxBuilt) return `${what}: evaluation exceeded the size limit of ${this.maxBuilt} elements or characters built`;
    if (this.steps > this.maxSteps) return `${what}: evaluation exceeded the step limit of ${this.maxSteps} steps`;
    this.sinceClock += Math.ceil(units / 16);
    if (this.sinceClock >= 1024 && this.clockPassed()) return `${what}: evaluation exceeded the time limit (${this.steps} steps)`;
    return undefined;
  }

  /** Past the deadline? (read every 1024 steps: Date.now() is not free) */
  private clockPassed(): boolean {
    this.sinceClock = 0;
    return Date.now() > this.deadline;
  }
  /** Count one step; throw eval_limit_error past the step or time budget. */
  tick(loc?: Location): void {
    this.steps++;
    if (this.steps > this.maxSteps) {
      throw regoError('eval_limit_error', `evaluation exceeded the step limit of ${this.maxSteps} steps`, loc);
    }
    if (++this.sinceClock >= 1024 && this.clockPassed()) {
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
