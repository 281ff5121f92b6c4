/** The validation pipeline: YAML with positions → schema → semantics → normalised manifest. */
import { resolve } from 'node:path';
import { DiagnosticSink } from './diagnostics.js';
import type { LoadedManifest, ManifestDiagnostic } from './manifest.types.js';
import { normalize } from './normalize.js';
import { parseSource } from './parse.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics } from './semantics.js';

export interface PipelineResult {
  diagnostics: ManifestDiagnostic[];
  manifest?: LoadedManifest;
}

/** Validate text named `file`; the workspace is resolved against `baseDir` when given. */
export async function runPipeline(source: string | Buffer, file: string, path: string | undefined, baseDir: string | undefined): Promise<PipelineResult> {
  const text = typeof source === 'string' ? source : source.toString('utf8');
  const parsed = parseSource(text);
  const sink = new DiagnosticSink(file, parsed);
  for (const e of parsed.syntaxErrors) sink.addAt(e, 'yaml', e.message, 'YAML_SYNTAX');
  if (parsed.syntaxErrors.length === 0 && (parsed.data === null || parsed.data === undefined)) {
    sink.addAt({ line: 1, column: 1 }, '(root)', 'the manifest is empty: expected apiVersion, kind, metadata and spec', 'EMPTY_MANIFEST');
  } else if (parsed.syntaxErrors.length === 0) {
    await checkSchema(parsed.data, sink);
    checkSemantics(parsed.data, sink, baseDir);
  }
  const diagnostics = sink.sorted();
  if (diagnostics.length > 0) return { diagnostics };
  const dir = baseDir ?? process.cwd();
  return { diagnostics, manifest: normalize({ data: parsed.data, path: path ?? resolve(dir, file), source, baseDir: dir }) };
}
