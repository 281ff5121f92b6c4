/**
 * `opa fmt` as a printer over the parsed module: package, import groups (sorted), rules (one-liners
 * on consecutive rows stay together, others separated by a blank line), heads (`:=`, `contains`,
 * `if`), bodies (one expression inline when written on the head's row; blank lines between
 * expressions kept), `else`, `with`, `some`, `every`, and the comments where they were.
 */
import type { Expr, Import, Module, Rule } from '../rego/ast.js';
import { Source } from './source.js';
import { type ExprPrinter, INFIX, TermPrinter } from './terms.js';
import { scanComments, Writer } from './writer.js';

/**
 * Format one parsed module with its source text.
 * @example printModule(parseModule({ path, text }), text)
 */
export function printModule(mod: Module, text: string): string {
  const w = new Writer(scanComments(text));
  const p = new Printer(w, new Source(text));
  p.writeModule(mod);
  return w.text();
}

class Printer implements ExprPrinter {
  private readonly t: TermPrinter;
  /** OPA writes `p["a"]` for two-part heads unless the module uses longer ref heads somewhere. */
  private refHeads = false;

  constructor(
    private readonly w: Writer,
    private readonly src: Source,
  ) {
    this.t = new TermPrinter(w, src, this);
  }

  writeModule(mod: Module): void {
    this.refHeads = mod.rules.some((r) => r.ref.length > 2 || (r.ref.length === 2 && r.kind === 'multi' && r.key !== undefined && r.value === undefined));
    const regoV1 = mod.imports.some((i) => this.importText(i) === 'rego.v1' || this.importText(i) === 'rego.v2');
    // With rego.v1 imported, future.keywords imports are redundant and dropped (as opa fmt).
    const imports = regoV1 ? mod.imports.filter((i) => !/^future\.keywords(\.|$)/.test(this.importText(i))) : mod.imports;
    this.w.insertComments(mod.packageLoc);
    this.w.startLine();
    this.w.write('package ');
    this.w.write(mod.package[0] ?? '');
    for (const k of mod.package.slice(1)) this.w.write(/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
    this.w.blankLine();
    type Item = { kind: 'import'; x: Import } | { kind: 'rule'; x: Rule };
    const items: Item[] = [...imports.map((x): Item => ({ kind: 'import', x })), ...mod.rules.map((x): Item => ({ kind: 'rule', x }))];
    items.sort((a, b) => a.x.loc.row - b.x.loc.row || a.x.loc.col - b.x.loc.col);
    for (let i = 0; i < items.length; ) {
      const kind = items[i]!.kind;
      let j = i;
      while (j < items.length && items[j]!.kind === kind) j++;
      const run = items.slice(i, j);
      if (kind === 'import') this.writeImports(run.map((r) => r.x as Import));
      else this.writeRules(run.map((r) => r.x as Rule));
      i = j;
    }
    const rest = this.w.comments.splice(0);
    rest.forEach((c, i) => {
      this.w.writeLine(c.text);
      if (i === rest.length - 1) this.w.write('\n');
    });
  }

  private writeImports(imports: Import[]): void {
    const groups: Import[][] = [];
    for (const imp of imports) {
      const g = groups[groups.length - 1];
      if (g && imp.loc.row - g[g.length - 1]!.loc.row <= 1) g.push(imp);
      else groups.push([imp]);
    }
    for (const g of groups) {
      // comments on an import's own row stay with it
      const own = new Map<Import, string>();
      for (const imp of g) {
        const k = this.w.comments.findIndex((c) => c.row === imp.loc.row);
        if (k >= 0) own.set(imp, this.w.comments.splice(k, 1)[0]!.text);
      }
      this.w.insertComments(g[0]!.loc);
      const text = (imp: Import): string => this.importText(imp);
      for (const imp of [...g].sort((a, b) => compareStrings(text(a), text(b)))) {
        this.w.startLine();
        this.w.write(`import ${text(imp)}`);
        const c = own.get(imp);
        if (c) this.w.write(` ${c}`);
        this.w.endLine();
      }
      this.w.blankLine();
    }
  }

  // The import's path as text (imports are sorted by it).
  private importText(imp: Import): string {
    const t = imp.path;
    let out = t.type === 'ref' && t.head.type === 'var' ? t.head.name : t.type === 'var' ? t.name : '';
    for (const p of t.type === 'ref' ? t.path : []) {
      if (p.type === 'scalar' && typeof p.value === 'string') {
        out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.value) ? `.${p.value}` : `[${this.src.literal(p.loc) ?? JSON.stringify(p.value)}]`;
      } else if (p.type === 'var') out += `[${p.name}]`;
      else out += `[${this.src.literal(p.loc) ?? ''}]`;
    }
    return out + (imp.alias ? ` as ${imp.alias}` : '');
  }

  private writeRules(rules: Rule[]): void {
    rules.forEach((rule, i) => {
      this.w.insertComments(rule.loc);
      this.writeRule(rule, false);
      const next = rules[i + 1];
      if (next && this.groupable(rule) && this.groupable(next) && next.loc.row === rule.loc.row + 1) return;
      this.w.blankLine();
    });
  }

  private groupable(r: Rule): boolean {
    if (r.body.length > 1 || r.isDefault || r.elses.length > 0) return false;
    return !(r.body.length === 1 && isSetTerm(r.body[0]!));
  }

  private writeRule(rule: Rule, isElse: boolean): void {
    if (!isElse) this.w.startLine();
    if (rule.isDefault) this.w.write('default ');
    this.writeHead(rule, isElse);
    if (!rule.hasBody || rule.body.length === 0 || isExpandedConst(rule)) {
      this.w.endLine();
      return;
    }
    this.w.write(' if');
    const headEnd = this.src.endRow(rule.loc, { head: true });
    if (rule.body.length === 1 && rule.body[0]!.loc.row === headEnd && !isSetTerm(rule.body[0]!)) {
      this.w.write(' ');
      this.writeExpr(rule.body[0]!);
      this.w.endLine();
      if (rule.elses.length > 0) this.writeElse(rule);
      return;
    }
    this.w.write(' {');
    this.w.endLine();
    this.w.up();
    this.writeBody(rule.body);
    this.w.down();
    this.w.startLine();
    this.w.write('}');
    if (rule.elses.length > 0) this.writeElse(rule);
    else this.w.endLine();
  }

  private writeElse(rule: Rule): void {
    const els = rule.elses[0]!;
    const line = this.src.lines[els.loc.row - 1] ?? '';
    const wasInline = els.loc.row > rule.loc.row && !line.trim().startsWith('else');
    if (wasInline) this.w.write(' ');
    else {
      this.w.blankLine();
      this.w.startLine();
    }
    this.w.insertComments(els.loc);
    const chained: Rule = { ...els, elses: rule.elses.slice(1) };
    this.writeRule(chained, true);
  }

  private writeHead(rule: Rule, isElse: boolean): void {
    if (isElse) this.w.write('else');
    else {
      const [name, ...path] = rule.ref;
      this.w.write(name && name.type === 'scalar' ? String(name.value) : name && name.type === 'var' ? name.name : '');
      if (!this.refHeads && path.length === 1) {
        const p = path[0]!;
        this.w.write('[');
        if (p.type === 'scalar' && typeof p.value === 'string') this.w.write(JSON.stringify(p.value));
        else this.t.writeTerm(p);
        this.w.write(']');
      } else for (const p of path) this.t.writeRefPart(p);
    }
    if (rule.args && rule.args.length > 0 && !isElse) {
      this.w.write('(');
      this.t.writeIterable(rule.args, rule.loc, (x) => this.t.writeTerm(x));
      this.w.write(')');
    }
    if (rule.kind === 'multi' && rule.key) {
      this.w.write(' contains ');
      this.t.writeTerm(rule.key);
    }
    const expandedConst = isExpandedConst(rule);
    const isTrue = rule.value === undefined || (rule.value.type === 'scalar' && rule.value.value === true);
    if (rule.kind === 'multi' && rule.key) return;
    // OPA keeps `p[x] := true`: a two-part head with a variable key carries a key, so its value prints.
    const keyed = !isElse && rule.ref.length === 2 && rule.ref[1]!.type !== 'scalar';
    if (rule.value !== undefined && (!isTrue || keyed || expandedConst || rule.isDefault || isElse)) {
      this.w.write(' := ');
      this.t.writeTerm(rule.value);
    } else if (rule.value === undefined && expandedConst && (!rule.args || rule.args.length === 0)) this.w.write(' := true');
  }

  writeBody(body: Expr[]): void {
    if (body[0]) this.w.insertComments(body[0].loc);
    body.forEach((e, i) => {
      if (i > 0) {
        const prev = body[i - 1]!;
        const lastRow = prev.loc.row + ((prev.text ?? '').match(/\n/g)?.length ?? 0);
        if (e.loc.row > lastRow + 1) this.w.blankLine();
      }
      this.w.startLine();
      this.writeExpr(e);
      this.w.endLine();
    });
  }

  writeExpr(e: Expr): void {
    this.w.insertComments(e.loc);
    if (!this.w.inline) this.w.startLine();
    if (e.negated) this.w.write('not ');
    switch (e.kind) {
      case 'term':
        if (e.term.type === 'call' && INFIX[e.term.op] !== undefined && INFIX[e.term.op] !== 'in' && e.term.args.length === 2) {
          this.t.writeTerm(e.term.args[0]!);
          this.w.write(` ${INFIX[e.term.op]} `);
          this.t.writeTerm(e.term.args[1]!);
        } else if (e.term.type === 'call' && INFIX[e.term.op] === 'in') this.t.writeIn(e.term.args, false);
        else this.t.writeTerm(e.term);
        break;
      case 'unify':
      case 'assign':
        this.t.writeTerm(e.lhs);
        this.w.write(e.kind === 'assign' ? ' := ' : ' = ');
        this.t.writeTerm(e.rhs);
        break;
      case 'some':
        this.w.write('some ');
        e.vars.forEach((v, i) => {
          if (i > 0) this.w.write(', ');
          this.t.writeTerm(v);
        });
        break;
      case 'somein':
        this.w.write('some ');
        this.t.writeIn(e.key ? [e.key, e.value, e.coll] : [e.value, e.coll], false);
        break;
      case 'every':
        this.writeEvery(e);
        break;
    }
    this.writeWiths(e);
  }

  private writeEvery(e: Extract<Expr, { kind: 'every' }>): void {
    this.w.write('every ');
    if (e.key) {
      this.t.writeTerm(e.key);
      this.w.write(', ');
    }
    this.t.writeTerm(e.value);
    this.w.write(' in ');
    this.t.writeTerm(e.domain);
    this.w.write(' {');
    const multi = (e.body[0]?.loc.row ?? e.loc.row) > e.loc.row || new Set(e.body.map((x) => x.loc.row)).size > 1;
    if (multi) {
      this.w.endLine();
      this.w.up();
      this.writeBody(e.body);
      this.w.down();
      this.w.startLine();
    } else {
      this.w.write(' ');
      e.body.forEach((x, i) => {
        if (i > 0) this.w.write('; ');
        this.writeExpr(x);
      });
      this.w.write(' ');
    }
    this.w.write('}');
  }

  private writeWiths(e: Expr): void {
    if (e.with.length === 0) return;
    let withs = e.with;
    let lastRow = this.src.endRow(e.loc);
    if (withs[0]!.loc.row <= lastRow) {
      this.writeWith(withs[0]!, false);
      lastRow = withs[0]!.loc.row;
      withs = withs.slice(1);
    }
    let indented = false;
    for (const wi of withs) {
      const indent = wi.loc.row > lastRow;
      if (indent) {
        if (!indented) {
          this.w.up();
          indented = true;
        }
        this.w.endLine();
        this.w.startLine();
        lastRow = wi.loc.row;
      }
      this.writeWith(wi, indent);
    }
    if (indented) this.w.down();
  }

  private writeWith(wi: Expr['with'][number], indented: boolean): void {
    this.w.insertComments(wi.loc);
    if (!indented) this.w.write(' ');
    this.w.write('with ');
    this.t.writeTerm(wi.target);
    this.w.write(' as ');
    this.t.writeTerm(wi.value);
  }
}

// A body that is just `true` (written `p if true`, or no body at all): printed as a constant.
function isExpandedConst(r: Rule): boolean {
  if (r.elses.length > 0) return false;
  if (!r.hasBody || r.body.length === 0) return true;
  const e = r.body[0]!;
  return r.body.length === 1 && e.kind === 'term' && !e.negated && e.with.length === 0 && e.term.type === 'scalar' && e.term.value === true;
}

/** A set literal as the only body expression stays in braces (`p if { {1, 2} }`); a set comprehension
 * prints inline as OPA does (`x if {1 | 1}` reads back as the comprehension). */
function isSetTerm(e: Expr): boolean {
  return e.kind === 'term' && e.term.type === 'set';
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
