/**
 * The OpenAPI document: servers, licence, every status the server returns documented, the committed
 * docs/openapi.json up to date, and (when Redocly CLI is available) `redocly lint` passes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRoutes, buildOpenApi, VERSION } from '../../src/server/index.js';
import { ROOT } from '../helpers/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, parsed JSON navigated freely by the assertions (a wrong path fails the test)
type Json = any;
const doc = buildOpenApi(allRoutes(), VERSION) as Json;
/** Redocly CLI: $REDOCLY, else `redocly` on PATH (CI: npm i -g @redocly/cli@2.77.0). */
const REDOCLY = process.env.REDOCLY ?? (spawnSync('redocly', ['--version']).status === 0 ? 'redocly' : null);

describe('OpenAPI document', () => {
  it('has servers, a licence and tag descriptions', () => {
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.servers[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.info.license.name).toBe('Apache-2.0');
    const used = new Set(Object.values(doc.paths).flatMap((p: Json) => Object.values(p).flatMap((op: Json) => op.tags)));
    for (const t of used) expect(doc.tags.map((x: Json) => x.name)).toContain(t);
  });

  it('documents 400, 401, 403, 404, 409, 413 and 429 where the server returns them', () => {
    const statuses = new Set(Object.values(doc.paths).flatMap((p: Json) => Object.values(p).flatMap((op: Json) => Object.keys(op.responses))));
    for (const s of ['200', '201', '400', '401', '403', '404', '409', '413', '429']) expect(statuses, s).toContain(s);
    expect(Object.keys(doc.paths['/api/tenants'].post.responses)).toEqual(expect.arrayContaining(['201', '409', '413']));
    for (const [path, ops] of Object.entries<Json>(doc.paths)) {
      for (const op of Object.values<Json>(ops)) {
        if (path.includes('{')) expect(op.responses['404'], `${path} 404`).toBeDefined();
        if (op.requestBody) expect(op.responses['413'], `${path} 413`).toBeDefined();
        if (op.security.length > 0) expect(op.responses['401'], `${path} 401`).toBeDefined();
      }
    }
    expect(doc.paths['/api/keys'].get).toBeDefined();
    expect(doc.paths['/api/executions/{id}/receipt'].get).toBeDefined();
    expect(doc.paths['/api/executions/{id}/disclosure'].get.responses['200'].content['application/zip']).toBeDefined();
  });

  it('docs/openapi.json is the generated document (regenerate: node dist/scripts/openapi.js > docs/openapi.json)', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  const why = REDOCLY ? '' : ' (skipped: Redocly CLI is not installed: npm i -g @redocly/cli@2.77.0, or set REDOCLY)';
  it.skipIf(!REDOCLY)(`redocly lint passes with the recommended rules${why}`, () => {
    const r = spawnSync(REDOCLY!, ['lint', join(ROOT, 'docs', 'openapi.json')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/valid/);
    expect(r.stdout + r.stderr).not.toMatch(/\d+ warnings?\b/);
  });
});
