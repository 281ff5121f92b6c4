/**
 * The engine's front door: the only module commands/ and server/ import. Rooms that pull in heavy
 * libraries are reached through dynamic imports inside their functions, so loading this stays cheap.
 * @example
 *   import { openSession, whoami } from '../src/index.js';
 *   const s = await openSession(ctx); console.log(whoami(s)); s.close();
 */

export { type Context, createContext } from './core/context.js';
export * from './core/errors.js';
export { openStore, type Store } from './store/index.js';
export * from './tenancy/index.js';
