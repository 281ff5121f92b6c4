// yaml.marshal / yaml.unmarshal as OPA does them through sigs.k8s.io/yaml (yaml.v2, YAML 1.1):
// `yes`/`on` are booleans, 0755 is octal, timestamps and 1:20 stay strings, integers stay exact.
// The `yaml` package is loaded on first use (kept off the CLI's startup path).
import { createRequire } from 'node:module';
import type { Value } from '../../value.js';
import { goFloat, toPlain } from './json-go.js';

type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;
const yaml = (): YamlModule => (yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule);

/** A YAML parse or conversion error. */
export class YamlError extends Error {}

// YAML 1.1 without the timestamp and sexagesimal resolvers yaml.v2 does not apply.
const tags = (t: unknown[]): unknown[] =>
  t.filter((x) => {
    const tag = x as { tag?: string; format?: string };
    return tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME';
  });

/** Parse the first YAML document into plain data (bigint for integers beyond 2^53). */
export function parseYaml(text: string): unknown {
  rejectAsYamlV2(text);
  const Y = yaml();
  const docs = Y.parseAllDocuments(text, {
    version: '1.1',
    intAsBigInt: true,
    uniqueKeys: false,
    customTags: tags as never,
  });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) {
    if (!Array.isArray(docs)) throw new YamlError('yaml: invalid document');
    return null;
  }
  if (doc.errors.length) throw new YamlError(`yaml: ${doc.errors[0]!.message.split('\n')[0]!.replace(/:$/, '')}`);
  // yaml.v2 fails on a core tag whose value does not resolve (`!!int x`); unknown tags pass
  const badTag = doc.warnings.find((w) => /Unresolved tag: tag:yaml\.org,2002:(int|float|bool|null)\b/.test(w.message));
  if (badTag) throw new YamlError(`yaml: ${badTag.message.split('\n')[0]!.replace(/:$/, '')}`);
  return jsonable(doc.toJS({ maxAliasCount: 1000 }));
}

/** Inputs yaml.v2 refuses that the `yaml` package accepts: a tab at the start of a line, %YAML 1.2. */
function rejectAsYamlV2(text: string): void {
  if (/^ *\t/m.test(text)) throw new YamlError('yaml: found character that cannot start any token');
  if (/^%YAML[ \t]+(?!1\.[01]\b)/m.test(text)) throw new YamlError('yaml: found incompatible YAML document');
}

// YAMLToJSON: map keys become strings; non-finite floats have no JSON form.
function jsonable(x: unknown): unknown {
  if (typeof x === 'number' && !Number.isFinite(x)) throw new YamlError(`json: unsupported value: ${goFloat(x)}`);
  if (x instanceof Uint8Array) return Buffer.from(x).toString('latin1');
  if (Array.isArray(x)) return x.map(jsonable);
  if (x instanceof Map) return Object.fromEntries([...x].map(([k, v]) => [String(k), jsonable(v)]));
  if (x instanceof Set) return [...x].map(jsonable);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, jsonable(v)]));
  }
  return x;
}

/** YAML text of a value: block style, keys sorted, sequences not indented (yaml.v2 layout). */
export function stringifyYaml(v: Value): string {
  return yaml().stringify(toPlain(v), {
    indentSeq: false,
    lineWidth: 0,
    version: '1.1',
    // Plain mappings and sequences: no !!omap / !!set / !!pairs tags for Maps.
    customTags: ((t: Array<{ tag?: string }>) => t.filter((x) => !/:(omap|pairs|set)$/.test(x.tag ?? ''))) as never,
  });
}
