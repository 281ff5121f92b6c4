// Builtin family: objects (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('objects', []);
