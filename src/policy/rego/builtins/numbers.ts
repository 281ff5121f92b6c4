// Builtin family: numbers (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('numbers', []);
