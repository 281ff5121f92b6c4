/**
 * SQLite-flavoured statement text → PostgreSQL text: `?` and named parameters (`@x`, `:x`, `$x`) become
 * `$n` (a name used twice keeps one number), never inside quoted strings, quoted identifiers or comments;
 * a camelCase alias (`as tenantId`) is quoted so PostgreSQL keeps its case, as SQLite does.
 */
export interface PgSql {
  text: string;
  /** Positional statement: how many `?`. */
  positional: number;
  /** Named statement: the names in $n order (index 0 is $1). */
  names: string[];
}

const IDENT = /[A-Za-z0-9_]/;

/** Rewrite one statement. Mixing `?` and names in one statement is refused, as better-sqlite3 does. */
export function toPgSql(sql: string): PgSql {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  let prevWord = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
      prevWord = '';
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j === -1 ? n : j;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j === -1 ? n : j + 2;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '?') {
      positional++;
      out += `$${positional}`;
      i++;
      prevWord = '';
      continue;
    }
    if ((c === '@' || c === ':' || c === '$') && /[A-Za-z_]/.test(sql[i + 1] ?? '') && !(c === ':' && sql[i - 1] === ':')) {
      let j = i + 1;
      while (j < n && IDENT.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let k = names.indexOf(name);
      if (k === -1) k = names.push(name) - 1;
      out += `$${k + 1}`;
      i = j;
      prevWord = '';
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && IDENT.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      out += prevWord === 'as' && /[A-Z]/.test(word) && /[a-z]/.test(word) ? `"${word}"` : word;
      prevWord = word.toLowerCase();
      i = j;
      continue;
    }
    if (!/\s/.test(c)) prevWord = '';
    out += c;
    i++;
  }
  if (positional > 0 && names.length > 0) throw new Error('a statement mixes ? and named parameters');
  return { text: out, positional, names };
}

/** The values for $1..$n from better-sqlite3-style arguments (positional list or one object of names). */
export function bindValues(sql: PgSql, params: unknown[]): unknown[] {
  if (sql.names.length > 0) {
    const obj = (params[0] ?? {}) as Record<string, unknown>;
    return sql.names.map((name) => {
      if (!(name in obj)) throw new RangeError(`missing named parameter "${name}"`);
      return toPg(obj[name]);
    });
  }
  const flat = params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params;
  if (flat.length !== sql.positional) throw new RangeError(`the statement takes ${sql.positional} parameter(s), ${flat.length} given`);
  return flat.map(toPg);
}

function toPg(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
