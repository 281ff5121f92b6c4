// Builtin family: aggregates (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('aggregates', []);
