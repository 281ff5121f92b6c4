// glob.match with the semantics of gobwas/glob as OPA 1.22.3 uses it: `*` (a run without
// delimiters), `**` (any run), `?` (one non-delimiter rune), `[abc]` `[a-z]` `[!abc]` `[!a-z]` (a
// class is ONE range or a list of runes: `[ab-d]` is the runes a b - d), `{a,b}` alternatives
// (nested), `\` escapes. The pattern is lexed as gobwas does, compiled to a Thompson NFA and run
// by simulating the set of live states, each set cached with its transitions (a lazy DFA, bounded):
// time O(states × runes), never backtracking (a backtracking matcher takes exponential time on
// `*a*a*a*a*b`). Steps are counted so tests can assert the bound.

/** A malformed glob pattern (OPA: eval_builtin_error "glob: syntax error at N: ..."). */
export class GlobError extends Error {}

type Atom =
  | { k: 'text'; cps: number[] }
  | { k: 'any' } // `*`
  | { k: 'super' } // `**`
  | { k: 'single' } // `?`
  | { k: 'range'; not: boolean; lo: number; hi: number }
  | { k: 'list'; not: boolean; cps: number[] }
  | { k: 'alt'; alts: Atom[][] };

const EOF = -1;

/** gobwas/glob's lexer and parser in one pass over the runes of the pattern. */
class GlobParser {
  private i = 0;
  private readonly runes: number[];
  constructor(pattern: string) {
    this.runes = [...pattern].map((c) => c.codePointAt(0)!);
  }

  private fail(msg: string): never {
    throw new GlobError(`glob: syntax error at ${this.i}: ${msg}`);
  }
  private read(): number {
    const r = this.peek();
    this.i++;
    return r;
  }
  private peek(): number {
    return this.i < this.runes.length ? this.runes[this.i]! : EOF;
  }

  /** Text up to a breaker (escapes honoured); a trailing backslash outside a class is an error, as in OPA. */
  private text(breakers: string, inClass = false): number[] {
    const out: number[] = [];
    for (;;) {
      const r = this.peek();
      if (r === EOF) break;
      if (r === 0x5c) {
        this.i++;
        if (this.peek() === EOF) {
          if (inClass) break;
          this.fail('trailing backslash');
        }
        out.push(this.read());
        continue;
      }
      if (breakers.includes(String.fromCodePoint(r))) break;
      out.push(this.read());
    }
    return out;
  }

  /** After `[`: `!`? then either `lo-hi` or a list of runes, then `]`. */
  private range(): Atom {
    let not = false;
    if (this.peek() === 0x21) {
      not = true;
      this.i++;
    }
    const lo = this.read();
    if (lo === EOF) this.fail('unexpected end of input');
    if (this.peek() === 0x2d) {
      this.i++;
      const hi = this.read();
      if (hi === EOF) this.fail('unexpected end of input');
      const close = this.read();
      if (close === EOF) this.fail('unexpected end of input');
      if (close !== 0x5d) this.fail('expected close range character');
      if (hi < lo) this.fail('range hi character is less than lo');
      return { k: 'range', not, lo, hi };
    }
    this.i--;
    const cps = this.text(']', true);
    if (this.read() === EOF) this.fail('unexpected end of input');
    if (cps.length === 0) this.fail('could not parse range');
    return { k: 'list', not, cps };
  }

  /** A sequence up to the end, or (inside braces) up to an unescaped `,` or `}`. */
  seq(depth: number): Atom[] {
    const out: Atom[] = [];
    for (;;) {
      const r = this.peek();
      if (r === EOF) {
        if (depth > 0) this.fail('unclosed `{`');
        return out;
      }
      if (depth > 0 && (r === 0x2c || r === 0x7d)) return out;
      this.i++;
      if (r === 0x7b) {
        const alts: Atom[][] = [];
        for (;;) {
          alts.push(this.seq(depth + 1));
          if (this.read() === 0x7d) break;
        }
        out.push({ k: 'alt', alts });
      } else if (r === 0x5b) out.push(this.range());
      else if (r === 0x3f) out.push({ k: 'single' });
      else if (r === 0x2a) {
        if (this.peek() === 0x2a) {
          this.i++;
          out.push({ k: 'super' });
        } else out.push({ k: 'any' });
      } else {
        this.i--;
        out.push({ k: 'text', cps: this.text(depth > 0 ? '?*[{},' : '?*[{') });
      }
    }
  }
}

/** NFA states: a rune test with one successor, an epsilon split, or the accepting state. */
type State = { t: 'rune'; test: (cp: number) => boolean; next: number } | { t: 'split'; outs: number[] } | { t: 'match' };

/** A set of live NFA states (a lazily built DFA state) and its cached transitions by rune. */
interface DState {
  ids: number[];
  match: boolean;
  /** Transitions on ASCII runes (an array lookup), then on any other rune. */
  ascii: Array<DState | undefined>;
  next: Map<number, DState>;
}
const DFA_MAX_STATES = 4096;
const DFA_MAX_EDGES = 256;

/**
 * A compiled glob: its NFA, run as a lazily built DFA (the sets of live states, cached with their
 * transitions, both bounded), and the counters of its last run.
 */
export class CompiledGlob {
  /** Work done by the last `test`: NFA states visited to build new sets, plus one per cached step; at most 2 × states × (runes + 1). */
  lastSteps = 0;
  private readonly dfa = new Map<string, DState>();
  private readonly mark: Int32Array;
  private gen = 0;
  private steps = 0;
  private start: DState | undefined;
  constructor(
    readonly states: State[],
    private readonly startId: number,
  ) {
    this.mark = new Int32Array(states.length).fill(-1);
  }

  /** The rune-testing and accepting states reachable from `seeds` through splits. */
  private closure(seeds: number[]): DState {
    if (++this.gen > 0x3fffffff) {
      this.gen = 1;
      this.mark.fill(-1);
    }
    const ids: number[] = [];
    const stack = seeds.slice().reverse();
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (this.mark[x] === this.gen) continue;
      this.mark[x] = this.gen;
      this.steps++;
      const st = this.states[x]!;
      if (st.t === 'split') for (let j = st.outs.length - 1; j >= 0; j--) stack.push(st.outs[j]!);
      else ids.push(x);
    }
    ids.sort((p, q) => p - q);
    const key = ids.join(',');
    const hit = this.dfa.get(key);
    if (hit) return hit;
    if (this.dfa.size >= DFA_MAX_STATES) this.dfa.clear();
    const d: DState = { ids, match: ids.some((x) => this.states[x]!.t === 'match'), ascii: new Array(128), next: new Map() };
    this.dfa.set(key, d);
    return d;
  }

  test(s: string): boolean {
    this.steps = 0;
    this.start ??= this.closure([this.startId]);
    let cur = this.start;
    let hits = 0;
    for (let i = 0; i < s.length && cur.ids.length > 0; ) {
      // one rune: a UTF-16 unit, or a surrogate pair
      let cp = s.charCodeAt(i++);
      if (cp >= 0xd800 && cp <= 0xdbff && i < s.length) {
        const lo = s.charCodeAt(i);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      }
      let nx = cp < 128 ? cur.ascii[cp] : cur.next.get(cp);
      if (nx === undefined) {
        const seeds: number[] = [];
        for (const x of cur.ids) {
          this.steps++;
          const st = this.states[x]!;
          if (st.t === 'rune' && st.test(cp)) seeds.push(st.next);
        }
        nx = this.closure(seeds);
        if (cp < 128) cur.ascii[cp] = nx;
        else if (cur.next.size < DFA_MAX_EDGES) cur.next.set(cp, nx);
      } else hits++;
      cur = nx;
    }
    this.lastSteps = this.steps + hits;
    return cur.match;
  }

  /** Cached sets of live states (bounded by DFA_MAX_STATES). */
  get cachedStates(): number {
    return this.dfa.size;
  }
}

/** Thompson construction: each atom links its states to `next`; built back to front. */
function build(atoms: Atom[], seps: Set<number>): CompiledGlob {
  const states: State[] = [];
  const push = (s: State): number => states.push(s) - 1;
  const notSep = (cp: number): boolean => !seps.has(cp);
  const seqTo = (seq: Atom[], next: number): number => {
    let at = next;
    for (let i = seq.length - 1; i >= 0; i--) at = atomTo(seq[i]!, at);
    return at;
  };
  const loop = (test: (cp: number) => boolean, next: number): number => {
    const split = push({ t: 'split', outs: [] });
    const body = push({ t: 'rune', test, next: split });
    (states[split] as { outs: number[] }).outs.push(body, next);
    return split;
  };
  const atomTo = (a: Atom, next: number): number => {
    switch (a.k) {
      case 'text': {
        let at = next;
        for (let i = a.cps.length - 1; i >= 0; i--) {
          const want = a.cps[i]!;
          at = push({ t: 'rune', test: (cp) => cp === want, next: at });
        }
        return at;
      }
      case 'any':
        return loop(notSep, next);
      case 'super':
        return loop(() => true, next);
      case 'single':
        return push({ t: 'rune', test: notSep, next });
      case 'range': {
        const { lo, hi, not } = a;
        return push({ t: 'rune', test: (cp) => (cp >= lo && cp <= hi) !== not, next });
      }
      case 'list': {
        const set = new Set(a.cps);
        const not = a.not;
        return push({ t: 'rune', test: (cp) => set.has(cp) !== not, next });
      }
      case 'alt':
        return push({ t: 'split', outs: a.alts.map((alt) => seqTo(alt, next)) });
    }
  };
  const accept = push({ t: 'match' });
  const start = seqTo(atoms, accept);
  return new CompiledGlob(states, start);
}

const cache = new Map<string, CompiledGlob>();
const CACHE_MAX = 1000;

/** Compile a glob with delimiter runes (empty: none) into a linear-time matcher (cached, bounded). */
export function compileGlob(pattern: string, separators: string[]): CompiledGlob {
  const key = JSON.stringify([pattern, separators]);
  const hit = cache.get(key);
  if (hit) return hit;
  const atoms = new GlobParser(pattern).seq(0);
  const glob = build(atoms, new Set(separators.map((d) => d.codePointAt(0)!)));
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, glob);
  return glob;
}

/** Entries in the compiled-glob cache (tests check the bound). */
export function globCacheSize(): number {
  return cache.size;
}

/** glob.quote_meta: escape gobwas's special characters `* ? \ [ ] { }`. */
export function quoteGlobMeta(s: string): string {
  return s.replace(/[*?\\[\]{}]/g, (c) => `\\${c}`);
}
