/** Print the control plane's OpenAPI document (committed as docs/openapi.json). */
import { allRoutes, buildOpenApi, VERSION } from '../src/server/index.js';

process.stdout.write(`${JSON.stringify(buildOpenApi(allRoutes(), VERSION), null, 2)}\n`);
