/**
 * The server room's front door: `maestro serve` and tests start the control plane through here.
 * @example
 *   const srv = await startServer(createContext(), { port: 0 }); await srv.close();
 */
export { type RunningServer, type ServerOptions, startServer, VERSION } from './app.js';
export { fromWire, statusForError, toWire, type WireError } from './http-errors.js';
export { buildOpenApi } from './openapi.js';
export type { JsonSchema, RouteContext, RouteDef } from './route.types.js';
export { allRoutes, registerRoutes } from './routes.js';
export { configureExecutionService, DEFAULT_MAX_QUEUE, type ExecutionServiceConfig } from './routes-executions.js';
