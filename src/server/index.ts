/**
 * The server room's front door: `maestro serve` and tests start the control plane through here.
 * @example
 *   const srv = await startServer(createContext(), { port: 0 }); await srv.close();
 */
export { startServer, VERSION, type RunningServer, type ServerOptions } from './app.js';
export { registerRoutes, allRoutes } from './routes.js';
export { buildOpenApi } from './openapi.js';
export { fromWire, toWire, statusForError, type WireError } from './http-errors.js';
export type { RouteDef, RouteContext, JsonSchema } from './route.types.js';
export { configureExecutionService, DEFAULT_MAX_QUEUE, type ExecutionServiceConfig } from './routes-executions.js';
