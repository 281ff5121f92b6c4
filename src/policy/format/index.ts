/**
 * `policy fmt`: Rego formatted exactly as `opa fmt` formats it (tabs, blank lines, `:=`, `contains`,
 * `if`, sorted imports, comments kept), and the file operations around it (`--diff`, `--check`,
 * `-w`).
 * @example formatRego('package a\nb = 1\n', 'a.rego') // 'package a\n\nb := 1\n'
 */
import { parseModule } from '../rego/index.js';
import { printModule } from './printer.js';

export { type FormatFileResult, type FormatReport, type FormatRequest, formatFiles } from './files.js';

/**
 * Format one module's text; throws RegoError (rego_parse_error) when it does not parse as Rego v1
 * (OPA 1.x's `opa fmt` reads every module as v1: `p { ... }` without `if` is refused).
 * @example formatRego(readFileSync('quota.rego', 'utf8'), 'quota.rego')
 */
export function formatRego(text: string, file = 'policy.rego'): string {
  const mod = parseModule({ path: file, text }, { v1: true });
  return printModule(mod, text.replace(/\r\n/g, '\n'));
}
