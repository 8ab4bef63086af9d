// Every operation in the OpenAPI document can send a valid answer: for each response schema of
// each operation, a value of the schema's own output type is encoded by the same serializer the
// app uses. A schema that cannot encode (a z.preprocess or a transform reused from an input)
// would answer 500 after its work was done; this finds it before anyone calls it.
import { serializerCompiler } from 'fastify-type-provider-zod';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { access } from '../../src/platform/auth/access.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestApp, testEnvironment, type TestApp } from '../support/app.ts';
import { sampleOf } from '../support/zod-sample.ts';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp();
});
afterAll(() => test.close());

describe('responses', () => {
  it('pages, JSON and stylesheets go out compressed when the browser accepts it, and whole when it does not', async () => {
    const page = await test.app.inject({ method: 'GET', url: '/sign-in', headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.rawPayload).toString('utf8')).toContain('<h1');
    const json = await test.app.inject({
      method: 'GET',
      url: '/api/v1/openapi.json',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(json.rawPayload).toString('utf8'))).toHaveProperty('paths');
    const stylesheet = (page.body.length > 0 ? brotliDecompressSync(page.rawPayload).toString('utf8') : '').match(
      /href="(\/assets\/css\/[^"]+\.css)"/,
    )?.[1];
    expect(stylesheet).toBeDefined();
    const css = await test.app.inject({ method: 'GET', url: String(stylesheet), headers: { 'accept-encoding': 'br' } });
    expect(css.headers['content-encoding']).toBe('br');
    expect(css.rawPayload.length).toBeLessThan(brotliDecompressSync(css.rawPayload).length / 4);
    const plain = await test.app.inject({ method: 'GET', url: '/sign-in' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('<h1');
  });

  it('pages and API answers are kept by no browser or proxy; assets are', async () => {
    for (const url of ['/sign-in', '/api/v1/me', '/api/v1/openapi.json', '/no-such-page', '/account'])
      expect((await test.app.inject({ method: 'GET', url })).headers['cache-control'], url).toBe('no-store');
    const compressed = await test.app.inject({ method: 'GET', url: '/sign-in', headers: { 'accept-encoding': 'br' } });
    expect(compressed.headers['cache-control']).toBe('no-store');
    const page = (await test.app.inject({ method: 'GET', url: '/sign-in' })).body;
    const stylesheet = /href="(\/assets\/css\/[^"]+\.css)"/.exec(page)?.[1];
    expect((await test.app.inject({ method: 'GET', url: String(stylesheet) })).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
  });

  it('a page links its stylesheet and scripts by fingerprinted addresses a browser keeps for a year', async () => {
    const page = (await test.app.inject({ method: 'GET', url: '/sign-in' })).body;
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/css\/[0-9a-f]{12}\/coproduce-005eb8\.css)">/.exec(
      page,
    )?.[1];
    const script = /<script type="module" src="(\/assets\/js\/[0-9a-f]{12}\/start\.js)">/.exec(page)?.[1];
    expect(stylesheet).toBeDefined();
    expect(script).toBeDefined();
    const start = await test.app.inject({ method: 'GET', url: String(script) });
    expect(start.statusCode).toBe(200);
    expect(start.headers['content-type']).toContain('text/javascript');
    // The script imports NHS.UK frontend's by its own fingerprinted address.
    const imported = /from '(\/assets\/js\/[0-9a-f]{12}\/nhsuk-frontend\.min\.js)'/.exec(start.body)?.[1];
    expect(imported).toBeDefined();
    for (const address of [String(stylesheet), String(script), String(imported)]) {
      const file = await test.app.inject({ method: 'GET', url: address });
      expect(file.statusCode, address).toBe(200);
      expect(file.headers['cache-control'], address).toBe('public, max-age=31536000, immutable');
      // Another release's address is not this file: never kept for a year under it.
      const other = await test.app.inject({
        method: 'GET',
        url: address.replace(/\/[0-9a-f]{12}\//, '/000000000000/'),
      });
      expect(other.statusCode, address).toBe(404);
    }
  });

  it('every operation in the OpenAPI document has a response schema that can send a valid answer', async () => {
    const document = (await test.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>();
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBeGreaterThan(100);
    // Each has an operationId, and no two the same: clients generate code from them.
    const ids = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = new Map(
      test.app.routeCatalogue.map((route) => [`${route.method} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`, route]),
    );
    const failures: string[] = [];
    let encoded = 0;
    for (const operation of operations) {
      const route = routes.get(operation);
      if (!route) {
        failures.push(`${operation}: in the document but not registered`);
        continue;
      }
      const responses = (route.schema?.response ?? {}) as Record<string, unknown>;
      const successes = Object.entries(responses).filter(([status]) => status.startsWith('2'));
      if (successes.length === 0) failures.push(`${operation}: no success response schema`);
      for (const [status, schema] of successes) {
        if (!(schema instanceof z.ZodType)) continue;
        const sample = sampleOf(schema);
        try {
          const body = serializerCompiler({ schema, method: route.method, url: route.url, httpStatus: status })(sample);
          expect(typeof body).toBe('string');
          encoded += 1;
        } catch (error) {
          const cause = (error as { cause?: Error }).cause ?? error;
          failures.push(`${operation} ${status}: ${(cause as Error).message.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(encoded).toBeGreaterThan(100);
  });
});

describe('an answer that fails after the work is done', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('is a 500 and an error in the log with the request id, never silent', async () => {
    const lines: string[] = [];
    const logStream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const app = await buildApp({
      config: readConfig({ ...testEnvironment, LOG_LEVEL: 'info' }),
      databases: database,
      logStream,
    });
    // A route whose response schema cannot encode, as PUT …/timebank/follows had.
    app.get(
      '/api/v1/broken-answer',
      {
        config: { access: access.public },
        schema: { response: { 200: z.object({ ids: z.preprocess((value) => value, z.array(z.string())) }) } },
      },
      async () => ({ ids: ['saved'] }),
    );
    await app.ready();
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/broken-answer',
      headers: { 'x-request-id': 'request-under-test' },
    });
    await app.close();
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const errors = lines
      .map((line) => JSON.parse(line) as { level: number; reqId?: string; msg?: string })
      .filter((line) => line.level >= 50);
    expect(errors).toEqual([expect.objectContaining({ reqId: 'request-under-test' })]);
  });
});
