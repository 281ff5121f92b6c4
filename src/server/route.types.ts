/** The route table's shape: one entry per endpoint, used to register, validate and document it. */
import type { Context } from '../core/context.js';
import type { Store } from '../store/index.js';
import type { Permission } from '../tenancy/roles.js';
import type { Session } from '../tenancy/session.js';

export type JsonSchema = Record<string, unknown>;

export interface RouteContext {
  /** The caller's session (shared store; closing is a no-op). Absent on public routes. */
  session: Session;
  /** The server's store (also on public routes). */
  store: Store;
  /** The server's context (also on public routes). */
  ctx: Context;
  /** The request body, already validated by the route's JSON schema (`schema.body`) before the handler runs. */
  // biome-ignore lint/suspicious/noExplicitAny: validated by the route's schema before the handler runs; handlers read the fields that schema guarantees
  body: any;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Set the HTTP status of a successful answer (default 200). */
  status(code: number): void;
  /** For streaming answers: the raw Node response, after headers are sent by the handler. */
  raw: {
    write(chunk: string): boolean;
    end(): void;
    writeHead(status: number, headers: Record<string, string>): void;
    setHeader(name: string, value: string): void;
    on(ev: 'close', fn: () => void): void;
  };
  /** Resolves when the client disconnects or the server shuts down. */
  closed: Promise<void>;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI-style path, e.g. /api/tenants/{id}/members. */
  path: string;
  summary: string;
  tag: string;
  /** The permission checked before the handler; null for public routes (health, openapi). */
  permission: Permission | null;
  schema: { body?: JsonSchema; params?: JsonSchema; querystring?: JsonSchema; response?: JsonSchema };
  /** 200 by default. */
  successStatus?: number;
  /** Further error statuses this route answers, documented in OpenAPI (429 also gets a Retry-After header). */
  errors?: Record<number, string>;
  /** Largest body for this route (default: the server's). */
  bodyLimit?: number;
  /** The handler returns plain data (sent as JSON) or undefined when it streamed the answer itself. */
  handler(ctx: RouteContext): unknown | Promise<unknown>;
  /** Content type of a successful answer when not JSON (e.g. NDJSON logs, Prometheus text). */
  produces?: string;
  /** The handler writes the answer itself through `raw` (streams); errors before the first byte are still JSON. */
  streaming?: boolean;
}
