// Builtin family: unsupported (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('unsupported', []);
