// A program is a user too: a client generated from the OpenAPI document (openapi-typescript)
// compiles under strict TypeScript, refuses a wrong call at compile time, and makes real calls.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { tokenFor } = callers(() => given.test.app);
const root = fileURLToPath(new URL('../..', import.meta.url));
const folder = path.join(root, 'test-results', `typed-client-${process.pid}`);

const client = `
import createClient from 'openapi-fetch';
import type { paths } from './api.ts';

/** What a program that keeps a community's directory would do: read the community and one person. */
export async function readCommunity(fetch: typeof globalThis.fetch, token: string, recordId: string) {
  const api = createClient<paths>({ baseUrl: 'http://coproduce.test', fetch, headers: { authorization: \`Bearer \${token}\` } });
  const community = await api.GET('/api/v1/communities/{community}', { params: { path: { community: 'alpha' } } });
  const person = await api.GET('/api/v1/communities/{community}/people/{recordId}', { params: { path: { community: 'alpha', recordId } } });
  const name: string | undefined = community.data?.name;
  const number: number | undefined = person.data?.number;
  return { name, number, status: person.response.status };
}
`;

/** Compiles the files under strict TypeScript and gives the errors, one line each. */
function compile(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
}

describe('a client generated from the OpenAPI document', () => {
  it('compiles, catches a wrong call before it runs, and reads a community and a person', async () => {
    const document = (await given.test.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<
      Record<string, unknown>
    >();
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'api.ts'), astToString(await openapiTS(document as never)));
    writeFileSync(path.join(folder, 'client.ts'), client);
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
    expect(compile([path.join(folder, 'client.ts')])).toEqual([]);

    // A path the API does not have, and a parameter it does not take, fail to compile.
    writeFileSync(
      path.join(folder, 'wrong.ts'),
      client.replace(
        "'/api/v1/communities/{community}', { params: { path: { community: 'alpha' } } }",
        "'/api/v1/communities/{community}', { params: { path: { commune: 'alpha' } } }",
      ),
    );
    expect(compile([path.join(folder, 'wrong.ts')]).length).toBeGreaterThan(0);

    // The compiled client, run against the app.
    const fetchFromApp: typeof globalThis.fetch = async (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      const answer = await given.test.app.inject({
        method: request.method as 'GET',
        url: url.pathname + url.search,
        headers: Object.fromEntries(request.headers.entries()),
        payload: request.body ? await request.text() : undefined,
      });
      return new Response(answer.body, {
        status: answer.statusCode,
        headers: answer.headers as Record<string, string>,
      });
    };
    const module = (await import(path.join(folder, 'client.ts'))) as {
      readCommunity: (
        fetch: typeof globalThis.fetch,
        token: string,
        recordId: string,
      ) => Promise<{ name?: string; number?: number; status: number }>;
    };
    const read = await module.readCommunity(
      fetchFromApp,
      await tokenFor('coordinator@alpha.test'),
      given.fixture.alphaPersonId,
    );
    expect(read).toMatchObject({ name: 'Alpha Time Bank', status: 200 });
    expect(read.number).toBeGreaterThan(0);
  }, 60_000);
});
