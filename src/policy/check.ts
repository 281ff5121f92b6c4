/**
 * `policy check`: load, parse and compile only, collecting every error with its location.
 */
import { PolicyError } from './errors.js';
import type { OpaErrorItem } from './eval.js';
import { errorItems } from './eval.js';
import { loadPolicyPaths } from './loader.js';
import { compile } from './rego/index.js';

export interface PolicyCheckRequest {
  paths: readonly string[];
  strict?: boolean;
  /** Read modules without `import rego.v1` v0-compatibly (`--v0-compatible`); by default they are Rego v1, as in OPA 1.x. */
  v0Compatible?: boolean;
  cwd?: string;
}

/** `errors` is empty when every module parses and compiles. */
export interface PolicyCheckReport {
  errors: OpaErrorItem[];
  modules: number;
}

/**
 * Check modules for parse and compile errors (data files are ignored, as `opa check` does).
 * @example const { errors } = checkPolicies({ paths: ['policies/'] }); // [] when clean
 */
export function checkPolicies(req: PolicyCheckRequest): PolicyCheckReport {
  let modules = 0;
  try {
    const loaded = loadPolicyPaths(req.paths, { cwd: req.cwd, modulesOnly: true });
    modules = loaded.modules.length;
    compile(loaded.modules, { strict: req.strict === true, v1: req.v0Compatible !== true });
    return { errors: [], modules };
  } catch (err) {
    if (err instanceof PolicyError && err.kind === 'not_found') throw err;
    return { errors: errorItems(err), modules };
  }
}
