// Builtin family: misc (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('misc', []);
