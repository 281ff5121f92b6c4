// Imports every builtin family (each registers itself). Helper R2 adds its families here: one import line per family.
import './aggregates.js';
import './arrays.js';
import './sets.js';
import './objects.js';
import './strings.js';
import './sprintf.js';
import './json-patch.js';
import './graph.js';
import './numbers.js';
import './comparison.js';
import './bitwise.js';
import './types.js';
import './misc.js';
import './deprecated.js';
import './unsupported.js';
import './time.js';
import './semver.js';
import './units.js';
import './uuid.js';
import './regex.js';
import './glob.js';
import './encoding.js';

export { builtinNames, lookupBuiltin } from './registry.js';
