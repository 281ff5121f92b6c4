// Builtin family: strings (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('strings', []);
