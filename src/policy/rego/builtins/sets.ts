// Builtin family: sets (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('sets', []);
