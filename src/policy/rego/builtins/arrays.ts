// Builtin family: arrays (filled in by R1).
import { registerBuiltins } from './registry.js';
registerBuiltins('arrays', []);
