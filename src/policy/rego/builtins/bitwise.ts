// Builtin family: bitwise (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('bitwise', []);
