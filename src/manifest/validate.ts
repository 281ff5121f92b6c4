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
  const notText = textProblem(source);
  if (notText) {
    return {
      diagnostics: [
        { file, line: notText.line, column: notText.column, field: '(file)', message: `not a YAML text file: ${notText.reason}`, code: 'NOT_YAML_TEXT' },
      ],
    };
  }
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Why the input is not YAML text, or null: invalid UTF-8, or a character YAML does not allow in a
 * stream (NUL and other C0 controls except tab/LF/CR, DEL, C1 controls except NEL, U+FFFE/U+FFFF).
 * Binary input thus yields one diagnostic instead of hundreds of syntax errors echoing raw bytes.
 */
export function textProblem(source: string | Buffer): { reason: string; line: number; column: number } | null {
  let text: string;
  if (typeof source === 'string') text = source;
  else {
    try {
      text = utf8.decode(source);
    } catch {
      const at = firstInvalidUtf8(source);
      const valid = source.subarray(0, at).toString('utf8');
      const pos = position(valid, valid.length);
      return { reason: `invalid UTF-8 at byte ${at} (line ${pos.line}, column ${pos.column}); is it a binary file? Save it as UTF-8 text`, ...pos };
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class matches the control characters a manifest may not contain
  const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u0084\u0086-\u009f\ufffe\uffff]/.exec(text);
  if (!bad) return null;
  const pos = position(text, bad.index);
  const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const what = bad[0] === '\u0000' ? 'a NUL byte (binary data?)' : `the control character ${code}, which YAML does not allow`;
  return { reason: `${what} at line ${pos.line}, column ${pos.column}`, ...pos };
}

// Offset of the byte where UTF-8 decoding fails: the longest prefix that decodes in streaming mode
// (a prefix may end inside a sequence) is found by binary search; validity of prefixes is monotone.
function firstInvalidUtf8(b: Buffer): number {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    let ok = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid), { stream: true });
    } catch {
      ok = false;
    }
    if (ok) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
