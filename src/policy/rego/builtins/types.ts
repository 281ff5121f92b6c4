// Builtin family: types (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('types', []);
